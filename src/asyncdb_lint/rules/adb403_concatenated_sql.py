"""ADB403: SQL built by concatenation reaches a database execution API."""

from asyncdb_lint.rules._sql import WHY_PARAMETERISE, dynamic_sql, no_fix
from asyncdb_lint.rules.base import Finding, Report, Rule


class ConcatenatedSql(Rule):
    code = "ADB403"
    name = "concatenated-sql"
    summary = "SQL built by concatenation (`+`, `+=`, `str.join`) reaches a database execution API."
    what_it_does = """
        Checks for SQL text assembled with `+`, `+=` or `str.join` from values
        other than literals or module-level constants, when the text reaches a
        database execution API (the same APIs as ADB401). Concatenating
        literals and UPPER_CASE module constants only is not reported.
        """
    why_bad = WHY_PARAMETERISE
    example = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def search(status: str):
            query = "SELECT * FROM orders WHERE status = '" + status + "'"
            return await database.fetch_all(query)
        """
    use_instead = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def search(status: str):
            query = "SELECT * FROM orders WHERE status = :status"
            return await database.fetch_all(query, values={"status": status})
        """
    fix_safety = "No fix is offered: move the values into the driver's parameters by hand."

    def check(self, model, report: Report) -> None:
        for construction, sink, message in dynamic_sql(model, frozenset({"concat", "join"})):
            report(Finding(self.code, construction.node, message, no_fix(sink)))
