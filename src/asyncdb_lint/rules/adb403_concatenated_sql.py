"""ADB403: SQL built by concatenation reaches a database execution API."""

from asyncdb_lint.rules._sql import WHY_PARAMETERISE, dynamic_sql, no_fix
from asyncdb_lint.rules.base import Finding, Report, Rule


class ConcatenatedSql(Rule):
    code = "ADB403"
    name = "concatenated-sql"
    summary = "A value spliced into SQL by concatenation (`+`, `+=`, `str.join`) reaches a database execution API."
    what_it_does = """
        Checks for SQL text assembled with `+`, `+=` or `str.join` that splices
        a value (not a literal-only one) where the driver could bind it as a
        parameter (the value positions of ADB401), when the text reaches a
        database execution API (the same APIs as ADB401). Concatenating
        literals and constants only is not reported, nor is joining literal
        placeholders (`", ".join("?" for _ in rows)`). Names and SQL structure
        concatenated in are ADB404's.
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
