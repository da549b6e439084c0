"""What ADB401-ADB403 share: dynamic SQL strings that reach an execution API."""

from __future__ import annotations

import re
from typing import FrozenSet, Iterator, Set, Tuple

from asyncdb_lint.fixes import Fix
from asyncdb_lint.model.semantic import SemanticModel
from asyncdb_lint.model.strings import HOLE, Construction, SqlSink, looks_like_sql, string_analysis

_IDENTIFIER_HOLE = re.compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|ORDER\s+BY|GROUP\s+BY)\s+[\"'`]?" + HOLE, re.IGNORECASE)

WHY_PARAMETERISE = """
    Splicing values into SQL is how SQL injection happens; it also breaks on
    quotes in the data, defeats the server's prepared-statement cache and hides
    type errors. This is about parameterisation, not proven exploitability: an
    `int` or a table name spliced in is reported too, because the code around
    it changes and the pattern gets copied.
    """

HOW = {
    "fstring": "an f-string",
    "percent": "`%` formatting",
    "format": "`.format()`",
    "concat": "concatenation",
    "join": "`str.join`",
}


def dynamic_sql(model: SemanticModel, kinds: FrozenSet[str]) -> Iterator[Tuple[Construction, SqlSink, str]]:
    """(construction, sink, message) for each dynamic SQL construction of ``kinds``."""
    analysis = string_analysis(model)
    seen: Set[int] = set()
    for sink in analysis.sinks():
        origin = analysis.origin(sink.query, model.scope_of[sink.call])
        if origin is None or not origin.dynamic:
            continue
        if not sink.traced and not looks_like_sql(origin.text):
            continue
        for construction in origin.constructions:
            if construction.kind not in kinds or id(construction.node) in seen:
                continue
            seen.add(id(construction.node))
            message = f"SQL built with {HOW[construction.kind]} reaches `{sink.api}`: {advice(sink)}"
            if _IDENTIFIER_HOLE.search(origin.text):
                message += " (a table or column name cannot be bound: check it against an allow-list)"
            yield construction, sink, message


def no_fix(sink: SqlSink) -> Fix:
    return Fix.display_only(advice(sink)[0].upper() + advice(sink)[1:])


def advice(sink: SqlSink) -> str:
    if sink.api == "text()":
        return "write `:name` placeholders in `text()` and pass the values to `execute()`"
    if sink.placeholder == ":name":
        if sink.api.startswith(("Database.", "Connection.")):
            return "use `:name` placeholders and pass the values in `values={...}`"
        return "use `:name` placeholders (in `text()`) and pass the values separately"
    if sink.placeholder == "$1":
        return "use `$1, $2, ...` placeholders and pass the values as extra arguments"
    if sink.placeholder == "?":
        return "use `?` placeholders and pass the values as a tuple"
    if sink.placeholder == "%s":
        return "use `%s` placeholders and pass the values as a tuple, for the driver to quote"
    return "use the driver's placeholders and pass the values separately"
