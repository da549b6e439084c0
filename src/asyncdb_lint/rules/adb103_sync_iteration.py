"""ADB103: an async iterator consumed with a plain `for`."""

import libcst as cst

from asyncdb_lint.fixes import SAFE, UNSAFE, Fix, make_async
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.values import Obj, Pending, is_async_iterable
from asyncdb_lint.rules.base import Finding, Report, Rule


class SyncIterationOfAsyncIterator(Rule):
    code = "ADB103"
    name = "sync-iteration-of-db-iterator"
    summary = "An async database iterator is consumed with `for` (or `list()`) instead of `async for`."
    what_it_does = """
        Checks for `for` loops, comprehensions and `list()`/`tuple()`/`sorted()`...
        over async iterators of the DB libraries: `databases`' `.iterate()`,
        asyncpg's `cursor()`, the async drivers' cursors, aiosqlite's
        `iterdump()`, SQLAlchemy's `AsyncResult` from `stream()`, Motor's and
        pymongo's cursors, `redis.asyncio`'s `scan_iter()`, Tortoise querysets.
        """
    why_bad = """
        An async iterator has no `__iter__`: the loop raises `TypeError: 'async_generator'
        object is not iterable` on the first request that reaches it.
        """
    example = """
        from databases import Database

        database = Database("sqlite+aiosqlite:///app.db")

        async def export() -> list:
            return [dict(row) for row in database.iterate("SELECT * FROM notes")]
        """
    use_instead = """
        from databases import Database

        database = Database("sqlite+aiosqlite:///app.db")

        async def export() -> list:
            return [dict(row) async for row in database.iterate("SELECT * FROM notes")]
        """
    fix_safety = """
        Turning `for` into `async for` is safe inside an `async def` (offered by
        `--fix`). A `for` statement in a plain `def` gets `async def` and
        `async for` together, which is unsafe: every caller of the function must
        now await it (offered by `--unsafe-fixes`). Elsewhere there is no fix.
        """

    def check(self, model, report: Report) -> None:
        for loop in model.fors:
            if loop.asynchronous is not None or model.expects_raise(loop):
                continue  # (inside `pytest.raises`/`assertRaises`: a test of that very mistake)
            scope = model.scope_of[loop]
            value = model.value_of(loop.iter, scope)
            if is_async_iterable(value):
                report(Finding(
                    self.code, loop.iter, f"{_describe(value)} is async: iterate it with `async for`, not `for`",
                    _loop_fix(model, loop, scope),
                ))
        for call in model.calls:
            func = call.func
            if not (isinstance(func, cst.Name) and func.value in lib.ITERATING_BUILTINS and call.args):
                continue
            scope = model.scope_of[call]
            if model.binds(func.value, scope):
                continue  # a local name shadows the builtin
            value = model.value_of(call.args[0].value, scope)
            if is_async_iterable(value):
                report(Finding(
                    self.code, call,
                    f"`{func.value}()` cannot consume {_describe(value)}: collect it with `[x async for x in ...]`",
                    Fix.display_only("Collect the rows with `[row async for row in ...]`"),
                ))


def _loop_fix(model, loop, scope) -> Fix:
    """`for` -> `async for`: only where `async for` is allowed and consumed in place."""
    if not scope.is_async:
        function_scope = scope.function_scope
        if isinstance(loop, cst.For) and function_scope is not None and function_scope.kind == "function":
            return (
                Fix(UNSAFE, "Make the function `async def` and use `async for` (its callers must await it)")
                .change(loop, make_async)
                .change(function_scope.node, make_async)
            )
        return Fix.display_only("Move the loop into an `async def` and use `async for`")
    if isinstance(loop, cst.CompFor) and isinstance(model.parent(loop), cst.GeneratorExp):
        return Fix.display_only("Use a list comprehension with `async for`")
    return Fix(SAFE, "Use `async for`").change(loop, make_async)


def _describe(value) -> str:
    if isinstance(value, Pending):
        return f"`{value.api}`"
    assert isinstance(value, Obj)
    return f"an `{value.type.label}`" if value.type.label[0] in "AEIOU" else f"a `{value.type.label}`"
