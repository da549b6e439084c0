"""ADB401: SQL built with an f-string reaches a database execution API."""

from asyncdb_lint.rules._placeholders import placeholder_fix
from asyncdb_lint.rules._sql import WHY_PARAMETERISE, dynamic_sql, no_fix
from asyncdb_lint.rules.base import Finding, Report, Rule


class FStringSql(Rule):
    code = "ADB401"
    name = "fstring-sql"
    summary = "SQL built with an f-string reaches a database execution API."
    what_it_does = """
        Checks for f-strings that splice values other than literals or
        module-level constants into SQL text that reaches a database execution
        API: `databases`' `execute`/`fetch_*`/`iterate`, asyncpg's `execute`/
        `fetch*`/`prepare`/`cursor`, aiosqlite and sqlite3 `execute*`, DB-API
        cursors, SQLAlchemy's `text()`, `exec_driver_sql` and `execute` of a
        string - directly or through local variables, across branches and `+=`.
        On a receiver it cannot trace, an execution method name (`execute`,
        `fetch_all`...) counts when the text is recognisably SQL. Log lines,
        URLs and messages that never reach such an API are never reported.
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
            fix = placeholder_fix(model, construction.node, sink, no_fix(sink))
            report(Finding(self.code, construction.node, message, fix))
