"""What ADB401-ADB404 share: dynamic SQL strings that reach an execution API.

Every spliced hole (model/strings.py) is classified once, by the SQL around it
in the statement that reaches the sink (`classify`), in this order:

1. escaped for the quotes it sits in (`'{x.replace("'", "''")}'`): safe, no finding;
2. in a DDL or admin statement (CREATE, DROP, ALTER, SET, PRAGMA, VACUUM,
   SAVEPOINT, BEGIN, NOTIFY, DBCC...), quoted or not: *structure* - no driver
   binds values there;
3. inside '...': a *value*; inside "...", `...` or [...]: *structure* (a name);
4. next to a `.` (`{schema}.t`, `t.{column}`): *structure* (a name);
5. the call already passes its values separately (a second positional
   argument, `values=`, `*args`, `text(...).bindparams()`): *structure* -
   the code is composing a statement around its parameters;
6. where a placeholder fits: after a comparison, `+`/`-`/`||`, `LIKE`/`ILIKE`/
   `SIMILAR TO`, `BETWEEN ... AND`, `LIMIT`/`OFFSET`/`TOP`/`FETCH FIRST`,
   `IN`/`VALUES`; as an item of `VALUES (...)`, `IN (...)`, `ANY(...)`; before
   a `::` cast; `SELECT {x}` with no FROM; or formatted as a number (`%d`,
   `{:.2f}`): a *value*;
7. anything else is *structure*: a name (after FROM/JOIN/INTO/UPDATE/TABLE/
   INDEX/..., in a select list, before `= ...`), an `ORDER BY`/`GROUP BY` term,
   or composed statement text (`f"EXPLAIN {query}"`, `f"{base} WHERE ..."`).

Values are ADB401-403's (advice: the receiver's own placeholder style);
structure is ADB404's (advice: identifier quoting or an allow-list, never a
placeholder). One finding per construction per family: a construction (one
f-string, one `%`, one `+`...) with structure holes gets one ADB404, with value
holes one ADB401/402/403 - an f-string with both gets both. A construction that
reaches several sinks is classified at the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from asyncdb_lint.fixes import Fix
from asyncdb_lint.model.semantic import SemanticModel
from asyncdb_lint.model.strings import HOLE, Construction, Hole, SqlSink, looks_like_sql, string_analysis

WHY_PARAMETERISE = """
    Splicing values into SQL is how SQL injection happens; it also breaks on
    quotes in the data, defeats the server's prepared-statement cache and hides
    type errors. This is about parameterisation, not proven exploitability: an
    `int` spliced in is reported too, because the code around it changes and
    the pattern gets copied. Table and column names, `ORDER BY` and DDL are
    ADB404's: no placeholder can carry them.
    """

HOW = {
    "fstring": "an f-string",
    "percent": "`%` formatting",
    "format": "`.format()`",
    "concat": "concatenation",
    "join": "`str.join`",
}

# Statements whose every spliced part is structure: no driver binds values in them.
_ADMIN_STATEMENTS = frozenset(
    "CREATE DROP ALTER TRUNCATE GRANT REVOKE ANALYZE ANALYSE VACUUM REINDEX SET SHOW LISTEN NOTIFY UNLISTEN "
    "PRAGMA COMMENT REFRESH CLUSTER DISCARD RESET LOCK ATTACH DETACH SAVEPOINT RELEASE ROLLBACK BEGIN START "
    "COMMIT END ABORT COPY DO USE KILL OPTIMIZE FLUSH CHECKPOINT DEALLOCATE PREPARE EXECUTE SECURITY IMPORT "
    "LOAD RENAME XA DECLARE FETCH MOVE CLOSE DBCC".split()
)
_VALUE_AFTER = re.compile(
    r"(?:=|<>|!=|<=|>=|<|>|\+|(?<!-)-|\|\||\bI?LIKE|\bSIMILAR\s+TO|\bBETWEEN|\bBETWEEN\s+\S+\s+AND|\bLIMIT|\bOFFSET|"
    r"\bTOP|\bFETCH\s+(?:FIRST|NEXT)|\bIN|\bVALUES|\bIS\s+(?:NOT\s+)?DISTINCT\s+FROM)\s*$",
    re.IGNORECASE,
)
_LIST_OPENER = re.compile(r"\b(VALUES|IN|ANY|ALL)\s*$", re.IGNORECASE)
_NAME = r"[\w.\"`" + HOLE + r"]+"  # a written or spliced name
_IDENTIFIER_AFTER = re.compile(
    r"(?:\b(?:FROM|JOIN|INTO|UPDATE|TABLE|INDEX|SEQUENCE|SCHEMA|DATABASE|SAVEPOINT|RELEASE|ON|VIEW|EXISTS|ONLY|"
    r"SELECT|DISTINCT|SET|RETURNING|AS)|\.|\b(?:FROM|JOIN)\s+" + _NAME + r"\s*,|\bINTO\s+" + _NAME
    + r"\s*\((?:[^()]*,)?|\bSELECT\s+[^()]*,)\s*$",
    re.IGNORECASE,
)
# `WHERE {column} = ...`: what follows says the hole is a column.
_COMPARED_NEXT = re.compile(
    r"\s*(?:=|<>|!=|<=|>=|<|>|(?:NOT\s+)?(?:I?LIKE|IN|BETWEEN)\b|IS\b)", re.IGNORECASE
)
_SELECT_END = re.compile(r"\bSELECT\s*$", re.IGNORECASE)  # `SELECT {n}` with no FROM: a value
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
_ORDER_CLAUSE = re.compile(r"\b(?:ORDER|GROUP|PARTITION)\s+BY\b[^()]*$", re.IGNORECASE)

VALUE = "value"
STRUCTURE = "structure"


@dataclass(frozen=True)
class Placement:
    family: str  # VALUE or STRUCTURE
    what: str = ""  # for structure: "identifier", "order", "statement", "composition"
    statement: str = ""  # the DDL/admin keyword, for "statement"


@dataclass
class SqlConstruction:
    construction: Construction
    sink: SqlSink
    values: int = 0  # value holes
    structure: Optional[Placement] = None  # the first structure hole's placement


def classify(hole: Hole, before: str, after: str, passes_values: bool) -> Optional[Placement]:
    """Where a hole sits, from the SQL text before and after it (None: escaped for the quotes it is in)."""
    quote, statement = _scan(before)
    tail = " ".join(statement.split())
    if tail.endswith("[") and after.lstrip().startswith("]"):
        quote = "["
    if hole.escaped and hole.escaped == quote:
        return None
    if hole.numeric and not quote and (tail.endswith("$") or re.search(r":[A-Za-z_]\w*$", tail)):
        return None  # `${len(values)}`, `:p{i}`: a placeholder's number, not a value
    if not quote and after.startswith("("):
        return Placement(STRUCTURE, "identifier")  # `SELECT {func}(...)`: a function's name
    keyword = _statement_keyword(statement)
    if keyword in _ADMIN_STATEMENTS:
        # a number (`SET lock_timeout = {ms:d}`) cannot carry SQL, and no driver binds one there
        return None if hole.numeric else Placement(STRUCTURE, "statement", keyword)
    if quote == "'":
        return Placement(VALUE)
    if quote:
        return Placement(STRUCTURE, "identifier")
    if after.startswith(".") or tail.endswith("."):  # `{schema}.table`, `t.{column}`
        return Placement(STRUCTURE, "identifier")
    if not passes_values and (
        hole.numeric or _VALUE_AFTER.search(tail) or _in_value_list(tail) or after.lstrip().startswith("::")
        or (_SELECT_END.search(tail) and not _FROM.search(after))
    ):
        return Placement(VALUE)
    if _ORDER_CLAUSE.search(tail):
        return Placement(STRUCTURE, "order")
    if _IDENTIFIER_AFTER.search(tail) or _COMPARED_NEXT.match(after):
        return Placement(STRUCTURE, "identifier")
    return Placement(STRUCTURE, "composition")


def _scan(before: str) -> Tuple[str, str]:
    """The quote open at the end of ``before`` ("" for none), and the text of its last statement."""
    quote = ""
    start = 0
    index = 0
    while index < len(before):
        char = before[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "-" and before.startswith("--", index):
            end = before.find("\n", index)
            if end < 0:
                break
            index = end
            continue
        elif char == ";":
            start = index + 1
        index += 1
    return quote, before[start:]


def _statement_keyword(statement: str) -> str:
    words = re.findall(r"[A-Za-z_]+|" + HOLE + r"|\(", statement)
    words = [w for w in words if w != "("]
    if words and words[0].upper() == "EXPLAIN":
        words = words[1:]
        while words and words[0].upper() in ("ANALYZE", "ANALYSE", "VERBOSE", "QUERY", "PLAN", "FOR"):
            words = words[1:]
    return words[0].upper() if words else ""


def _in_value_list(tail: str) -> bool:
    """Whether the hole starts an item of a `VALUES (...)`/`IN (...)`/`ANY(...)` list."""
    if not tail.endswith(("(", ",")):
        return False
    opener = unclosed_paren(tail)
    if opener is None:
        return False
    head = tail[:opener].rstrip()
    while head.endswith(","):  # VALUES (...), (...), (
        head = head[:-1].rstrip()
        if not head.endswith(")"):
            return False
        match = unclosed_paren(head[:-1])
        if match is None:
            return False
        head = head[:match].rstrip()
    return bool(_LIST_OPENER.search(head))


def unclosed_paren(text: str) -> Optional[int]:
    """Where the last parenthesis still open at the end of ``text`` opens."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return index
            depth -= 1
    return None


def sql_constructions(model: SemanticModel) -> List[SqlConstruction]:
    """Every dynamic construction that reaches a SQL sink, with its holes classified; memoised."""
    memo = model.__dict__.get("_sql_constructions")
    if memo is not None:
        return memo
    analysis = string_analysis(model)
    found: Dict[int, SqlConstruction] = {}
    for sink in analysis.sinks():
        origin = analysis.origin(sink.query, model.scope_of[sink.call])
        if origin is None or not origin.dynamic:
            continue
        if not sink.traced and not looks_like_sql(origin.text):
            continue
        here: Dict[int, SqlConstruction] = {}
        seen_holes = set()
        for hole, before, after in origin.contexts():
            key = id(hole.construction.node)
            seen_holes.add(key)
            if key in found:
                continue  # classified at the first sink it reaches
            entry = here.setdefault(key, SqlConstruction(hole.construction, sink))
            placement = classify(hole, before, after, sink.passes_values)
            if placement is None:
                continue
            if placement.family == VALUE:
                entry.values += 1
            elif entry.structure is None:
                entry.structure = placement
        for construction in origin.constructions:
            key = id(construction.node)
            if key not in found and key not in seen_holes:
                here[key] = SqlConstruction(construction, sink, values=1)  # no hole seen: as before, a value
        found.update({k: v for k, v in here.items() if v.values or v.structure is not None})
    result = list(found.values())
    model.__dict__["_sql_constructions"] = result
    return result


def dynamic_sql(model: SemanticModel, kinds: frozenset) -> Iterator[Tuple[Construction, SqlSink, str]]:
    """(construction, sink, message) for each construction of ``kinds`` that splices a value (ADB401-403)."""
    for entry in sql_constructions(model):
        if entry.construction.kind in kinds and entry.values:
            sink = entry.sink
            how = HOW[entry.construction.kind]
            yield entry.construction, sink, f"SQL built with {how} reaches `{sink.api}`: {advice(sink)}"


def splices_structure(model: SemanticModel, construction: Construction) -> bool:
    """Whether this construction also splices a name or SQL structure (ADB404's part)."""
    return any(e.construction == construction and e.structure is not None for e in sql_constructions(model))


def structural_sql(model: SemanticModel) -> Iterator[Tuple[SqlConstruction, str]]:
    """(entry, message) for each construction that splices an identifier or SQL structure (ADB404)."""
    for entry in sql_constructions(model):
        if entry.structure is not None:
            placement, sink = entry.structure, entry.sink
            article = "an" if placement.statement[:1] in "AEIOU" else "a"
            what = _WHAT.get(placement.what) or f"a non-literal into {article} `{placement.statement}` statement"
            message = (
                f"SQL built with {HOW[entry.construction.kind]} reaches `{sink.api}`, splicing {what} "
                f"where no driver can bind a value: {structure_advice(sink, placement)}"
            )
            yield entry, message


_WHAT = {
    "identifier": "a table or column name",
    "order": "an `ORDER BY`/`GROUP BY` column or direction",
    "composition": "SQL text (statement composition)",
}


def no_fix(sink: SqlSink) -> Fix:
    return Fix.display_only(_capital(advice(sink)))


def no_structure_fix(sink: SqlSink, placement: Placement) -> Fix:
    return Fix.display_only(_capital(structure_advice(sink, placement)))


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _library(sink: SqlSink) -> str:
    return sink.kind.split(".")[0] if sink.kind else ""


def advice(sink: SqlSink) -> str:
    """How to bind a value, in the receiver's own driver's placeholder style."""
    library = _library(sink)
    if sink.api == "text()":
        return "write `:name` placeholders in `text()` and pass the values as a dict, `execute()`'s second argument"
    if library in ("databases", "databasez"):
        return "use `:name` placeholders and pass the values in `values={...}`"
    if library in ("sqlalchemy", "sqlmodel"):
        if sink.api.endswith(".exec_driver_sql()"):
            return "use the DBAPI driver's own placeholders and pass the values as `exec_driver_sql()`'s second argument"
        return (
            "wrap the SQL in `text()` with `:name` placeholders and pass the values as a dict, "
            "`execute()`'s second argument"
        )
    if sink.placeholder == "$1" or library == "asyncpg":
        return "use `$1, $2, ...` placeholders and pass the values as extra arguments"
    if library in ("aiosqlite", "sqlite3", "pyodbc", "aioodbc"):
        return "use `?` placeholders and pass the values as a tuple"
    if library in ("psycopg", "psycopg2", "aiopg", "pymysql", "MySQLdb", "mysql", "aiomysql", "asyncmy"):
        return "use `%s` placeholders and pass the values as a tuple, for the driver to quote"
    if library in ("oracledb", "cx_Oracle"):
        return "use `:name` placeholders and pass the values as a dict, `execute()`'s second argument"
    return "use the driver's placeholders and pass the values separately"


def structure_advice(sink: SqlSink, placement: Placement) -> str:
    """What to do with a name or fragment no placeholder can carry - never a placeholder."""
    library = _library(sink)
    composition = placement.what == "composition"
    if library in ("psycopg", "psycopg2", "aiopg"):
        module = "psycopg" if library == "psycopg" else "psycopg2"
        if composition:
            return (
                f"compose the statement with `{module}.sql.SQL(...).format(...)`, "
                "or check the fragment against an allow-list"
            )
        return (
            f"quote it with `{module}.sql.Identifier` in `{module}.sql.SQL(...).format(...)`, "
            "or check it against an allow-list"
        )
    if library in ("sqlalchemy", "sqlmodel"):
        if composition:
            return (
                "build the statement with SQLAlchemy Core (`select()`, `table()`, `column()`), "
                "or check the fragment against an allow-list"
            )
        return (
            "quote it with the dialect's identifier preparer (`conn.dialect.identifier_preparer.quote(name)`), "
            "or check it against an allow-list"
        )
    if composition:
        return "build the statement from literals only, or check the fragment against an allow-list of known ones"
    if placement.what == "statement":
        return "check it against an allow-list of the values the code knows"
    return "check it against an allow-list of known names"
