"""ADB404: a table/column name or other SQL structure built from a non-literal reaches a database execution API."""

from asyncdb_lint.rules._sql import no_structure_fix, structural_sql
from asyncdb_lint.rules.base import Finding, Report, Rule


class DynamicSqlIdentifier(Rule):
    code = "ADB404"
    name = "dynamic-sql-identifier"
    summary = "An identifier or SQL structure built from a non-literal reaches a database execution API."
    what_it_does = """
        Checks for SQL text reaching a database execution API (the same APIs as
        ADB401) with a non-literal spliced in where no driver can bind a value:
        a table, column, schema, database, index, sequence or savepoint name
        (after FROM/JOIN/INTO/UPDATE/TABLE/..., or inside "double quotes",
        `backticks` or [brackets]), an `ORDER BY`/`GROUP BY` column or
        direction, anything in a DDL or admin statement (CREATE, DROP, ALTER,
        TRUNCATE, GRANT, SET, SHOW, PRAGMA, VACUUM, LISTEN/NOTIFY...), and
        composed statement text: a SQL fragment spliced in (`f"EXPLAIN {query}"`,
        `f"{base_query} WHERE ..."`), or any unquoted splice into a call that
        already passes its values separately.

        Names that can only hold literals are not reported: module-level or
        local constants, a loop over a literal list, tuple or dict, a literal
        dict indexed by anything (`COLUMNS[key]`), `"ASC" if desc else "DESC"`,
        uuids; a name checked first - against an allow-list
        (`if column not in ALLOWED: raise ...`), by a validator
        (`validate_name(name)`, `name.isidentifier()`) - or passed through a
        quoting function (`identifier_preparer.quote(name)`, `quote_ident(...)`,
        `name.replace('"', '""')` inside double quotes). A value spliced in where a
        placeholder fits is ADB401-403's, not this rule's; one construction
        with both gets one finding from each.
        """
    why_bad = """
        A placeholder carries a value, never a name or a piece of syntax, so
        parameterising cannot help here: whoever controls the spliced text
        controls the statement. Identifiers have to be quoted by the driver's
        identifier quoting, or checked against the names the code knows.
        """
    example = """
        import asyncpg

        async def export(pool: asyncpg.Pool, table: str):
            return await pool.fetch(f"SELECT * FROM {table}")
        """
    use_instead = """
        import asyncpg

        EXPORTABLE = {"orders": "orders", "invoices": "invoices"}

        async def export(pool: asyncpg.Pool, table: str):
            return await pool.fetch(f"SELECT * FROM {EXPORTABLE[table]}")
        """
    fix_safety = """
        No fix is offered. With psycopg, quote the name with
        `psycopg.sql.Identifier` (`sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))`);
        with SQLAlchemy, with the dialect's identifier preparer
        (`conn.dialect.identifier_preparer.quote(table)`) or Core constructs;
        with asyncpg, aiosqlite, sqlite3 and `databases`, check the name
        against an allow-list of the names the code knows.
        """

    def check(self, model, report: Report) -> None:
        for entry, message in structural_sql(model):
            fix = no_structure_fix(entry.sink, entry.structure)  # type: ignore[arg-type]
            report(Finding(self.code, entry.construction.node, message, fix))
