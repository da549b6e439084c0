"""ADB502: indexing a list of rows by a column name."""

import libcst as cst

from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.base import Finding, Report, Rule

_LIST_ATTRIBUTES = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "copy", "count", "index", "reverse", "sort",
})


class IndexingManyRows(Rule):
    code = "ADB502"
    name = "indexing-rows-by-column"
    summary = "The result of `fetch_all()`/`fetch()` - a list of rows - is indexed by a column name."
    what_it_does = """
        Checks for a string subscript (`rows["name"]`) or a column attribute
        (`rows.name`) on the awaited result of `databases`' `fetch_all()` or
        asyncpg's `fetch()`.
        """
    why_bad = """
        `fetch_all()` returns a list: `rows["name"]` raises `TypeError: list
        indices must be integers`, `rows.name` raises `AttributeError`. It
        means `fetch_one()` / `fetchrow()` was intended, or a row of the list.
        """
    example = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def user_name(user_id: int) -> str:
            rows = await database.fetch_all("SELECT name FROM users WHERE id = :id", values={"id": user_id})
            return rows["name"]
        """
    use_instead = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def user_name(user_id: int) -> str:
            row = await database.fetch_one("SELECT name FROM users WHERE id = :id", values={"id": user_id})
            return row["name"]
        """
    fix_safety = "No fix is offered: decide whether one row or all rows were meant."

    def check(self, model, report: Report) -> None:
        for subscript in model.subscripts:
            if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
                continue
            key = subscript.slice[0].slice.value
            if not isinstance(key, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
                continue
            value = model.value_of(subscript.value)
            if _is_rows(value):
                report(Finding(self.code, subscript, _message(model, subscript.value, value, "a string key")))
        for attribute in model.attributes:
            name = attribute.attr.value
            if name in _LIST_ATTRIBUTES or name.startswith("_"):
                continue
            value = model.value_of(attribute.value)
            if _is_rows(value):
                report(Finding(self.code, attribute, _message(model, attribute.value, value, f"`.{name}`")))


def _is_rows(value) -> bool:
    return isinstance(value, Obj) and value.type.rows


def _message(model, expr, value, how) -> str:
    code = " ".join(model.module.code_for_node(expr).split())
    if len(code) > 50:
        code = code[:47] + "..."
    return f"`{code}` is a {value.type.label} (from fetch_all()/fetch()), indexed by {how}: use one row of it, or fetch_one()/fetchrow()"
