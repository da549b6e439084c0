"""ADB501: iterating a single row as if it were many."""

import libcst as cst

from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.base import Finding, Report, Rule


class IteratingOneRow(Rule):
    code = "ADB501"
    name = "iterating-one-row"
    summary = "The result of `fetch_one()`/`fetchrow()` - one row - is iterated as if it were many."
    what_it_does = """
        Checks for `for` loops, comprehensions and `list()` over the awaited
        result of `databases`' `fetch_one()` or asyncpg's `fetchrow()`.
        """
    why_bad = """
        `fetch_one()` returns a single row (or `None`), not a list: iterating it
        walks the row's columns (or keys) instead of rows, and fails with
        `TypeError` when no row matched. It almost always means `fetch_all()`
        / `fetch()` was intended.
        """
    example = """
        import asyncpg

        async def names(pool: asyncpg.Pool) -> list:
            rows = await pool.fetchrow("SELECT name FROM users")
            return [row["name"] for row in rows]
        """
    use_instead = """
        import asyncpg

        async def names(pool: asyncpg.Pool) -> list:
            rows = await pool.fetch("SELECT name FROM users")
            return [row["name"] for row in rows]
        """
    fix_safety = "No fix is offered: decide whether one row or all rows were meant."

    def check(self, model, report: Report) -> None:
        for loop in model.fors:
            value = model.value_of(loop.iter, model.scope_of[loop])
            if _is_row(value):
                report(Finding(self.code, loop.iter, _message(model, loop.iter, value)))
        for call in model.calls:
            func = call.func
            if isinstance(func, cst.Name) and func.value == "list" and len(call.args) == 1:
                scope = model.scope_of[call]
                if model.binds("list", scope):
                    continue
                value = model.value_of(call.args[0].value, scope)
                if _is_row(value):
                    report(Finding(self.code, call, _message(model, call.args[0].value, value)))


def _is_row(value) -> bool:
    return isinstance(value, Obj) and value.type.row


def _message(model, expr, value) -> str:
    code = " ".join(model.module.code_for_node(expr).split())
    if len(code) > 50:
        code = code[:47] + "..."
    return f"`{code}` is one {value.type.label} (from fetch_one()/fetchrow()): iterating it walks its columns, not rows"
