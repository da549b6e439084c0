"""ADB402: SQL built with `%` or `.format()` reaches a database execution API."""

from asyncdb_lint.rules._sql import WHY_PARAMETERISE, dynamic_sql, no_fix
from asyncdb_lint.rules.base import Finding, Report, Rule


class FormatSql(Rule):
    code = "ADB402"
    name = "format-sql"
    summary = "A value spliced into SQL with `%` formatting or `.format()` reaches a database execution API."
    what_it_does = """
        Checks for SQL text formatted with the `%` operator or `str.format()`
        that splices a value (not a literal-only one) where the driver could
        bind it as a parameter (the value positions of ADB401), when the text
        reaches a database execution API (the same APIs as ADB401). Passing the
        values as the driver's parameters - `execute("... %s", (value,))` - is
        the correct form and is not reported; neither is psycopg2's
        `sql.SQL(...).format(sql.Identifier(...))`. Names and SQL structure
        formatted in are ADB404's.
        """
    why_bad = WHY_PARAMETERISE
    example = """
        import sqlite3

        def find_user(connection: sqlite3.Connection, name: str):
            return connection.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchone()
        """
    use_instead = """
        import sqlite3

        def find_user(connection: sqlite3.Connection, name: str):
            return connection.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        """
    fix_safety = "No fix is offered: move the values into the driver's parameters by hand."

    def check(self, model, report: Report) -> None:
        for construction, sink, message in dynamic_sql(model, frozenset({"percent", "format"})):
            report(Finding(self.code, construction.node, message, no_fix(sink)))
