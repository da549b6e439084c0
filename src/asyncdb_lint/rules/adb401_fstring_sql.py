"""ADB401: SQL built with an f-string reaches a database execution API."""

from asyncdb_lint.fixes import Fix
from asyncdb_lint.rules._placeholders import placeholder_fix
from asyncdb_lint.rules._sql import WHY_PARAMETERISE, dynamic_sql, no_fix, splices_structure
from asyncdb_lint.rules.base import Finding, Report, Rule


class FStringSql(Rule):
    code = "ADB401"
    name = "fstring-sql"
    summary = "A value spliced into SQL with an f-string reaches a database execution API."
    what_it_does = """
        Checks for f-strings that splice a value into SQL text where the driver
        could bind it as a parameter - after `=`, `<`, `>`, `LIKE`, `LIMIT`/
        `OFFSET`, in `IN (...)` and `VALUES (...)` lists, inside '...' quotes,
        in `SET col = ...` - when the text reaches a database execution API:
        `databases`' `execute`/`fetch_*`/`iterate`, asyncpg's `execute`/
        `fetch*`/`prepare`/`cursor`, aiosqlite and sqlite3 `execute*`, DB-API
        cursors, SQLAlchemy's `text()`, `exec_driver_sql` and `execute` of a
        string - directly or through variables, across branches and `+=`. On a
        receiver it cannot trace, an execution method name (`execute`,
        `fetch_all`...) counts when the text is recognisably SQL. The advice
        names the receiver's own placeholder style. Literal-only values are
        never reported (constants, loops over literal lists and dicts, `"?, " * n`,
        `"ASC" if desc else "DESC"`); nor are log lines, URLs and messages that
        never reach such an API. Table and column names, `ORDER BY`, DDL and
        composed statement text are ADB404's.
        """
    why_bad = WHY_PARAMETERISE
    example = """
        import asyncpg

        async def find_user(pool: asyncpg.Pool, name: str):
            return await pool.fetchrow(f"SELECT * FROM users WHERE name = '{name}'")
        """
    use_instead = """
        import asyncpg

        async def find_user(pool: asyncpg.Pool, name: str):
            return await pool.fetchrow("SELECT * FROM users WHERE name = $1", name)
        """
    fix_safety = """
        Rewriting the f-string into the driver's placeholders with bound values
        is offered as an unsafe fix where the rewrite is unambiguous: bound
        values can change types and quoting.
        """

    def check(self, model, report: Report) -> None:
        for construction, sink, message in dynamic_sql(model, frozenset({"fstring"})):
            if splices_structure(model, construction):
                fallback = no_fix(sink)
                fix = Fix.display_only(f"{fallback.message} (a name or SQL text is spliced in too: see ADB404)")
            else:
                fix = placeholder_fix(model, construction.node, sink, no_fix(sink))
            report(Finding(self.code, construction.node, message, fix))
