"""The ADB401 fix: an f-string's values become the driver's bound parameters.

Only where the rewrite is clearly equivalent: every spliced value is a plain
expression in a value position (not an identifier, not inside a quoted
pattern, no conversion or format spec), the f-string is the query argument
itself (or a local used once, assigned once), and the call does not already
pass values. Everything else gets a display-only message instead.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import libcst as cst

from asyncdb_lint.fixes import UNSAFE, Fix, insert_argument
from asyncdb_lint.model.semantic import SemanticModel
from asyncdb_lint.model.strings import SqlSink, string_analysis
from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules._sql import unclosed_paren

# A spliced value can only become a bound parameter where SQL expects a value:
# after a comparison, LIKE, LIMIT/OFFSET, or inside VALUES (...) / IN (...).
_VALUE_AFTER = re.compile(r"(=|<>|!=|<|>|\bI?LIKE|\bLIMIT|\bOFFSET)\s*$", re.IGNORECASE)
_LIST_OPENER = re.compile(r"\b(VALUES|IN)\s*$", re.IGNORECASE)
_SESSION_KINDS = frozenset({
    "sqlalchemy.AsyncSession", "sqlmodel.AsyncSession", "sqlalchemy.AsyncConnection",
    "sqlalchemy.Session", "sqlalchemy.Connection",
})
_DATABASES_KINDS = frozenset({"databases.Database", "databases.Connection"})
_QMARK_KINDS = frozenset({
    "sqlite3.Connection", "sqlite3.Cursor", "aiosqlite.Connection", "aiosqlite.Cursor",
    "pyodbc.Connection", "pyodbc.Cursor",
})
_FORMAT_KINDS = frozenset({
    "psycopg2.Cursor", "psycopg.Connection", "psycopg.Cursor", "pymysql.Cursor",
    "MySQLdb.Cursor", "mysql.connector.Cursor",
})


class _NoFix(Exception):
    pass


def placeholder_fix(model: SemanticModel, fstring: cst.CSTNode, sink: SqlSink, fallback: Fix) -> Fix:
    try:
        return _build(model, fstring, sink)
    except _NoFix as reason:
        return Fix.display_only(f"{fallback.message} ({reason})" if str(reason) else fallback.message)


def _build(model: SemanticModel, fstring: cst.CSTNode, sink: SqlSink) -> Fix:
    if not isinstance(fstring, cst.FormattedString):
        raise _NoFix("the SQL is split over several literals")
    if not _reaches_directly(model, fstring, sink):
        raise _NoFix("the SQL is assembled in several places")
    style, target = _style(model, sink)
    pieces, values = _split(model, fstring, sink, style)
    fix = Fix(UNSAFE, f"Bind the values as `{style}` parameters")
    fix.change(fstring, lambda _updated: cst.SimpleString(_literal(fstring, pieces)))
    call = target
    if style == ":name" and sink.api == "text()":
        fix.change(call, lambda updated: insert_argument(updated, _positional_end(updated), cst.Arg(_dict(values))))
    elif style == ":name":
        fix.change(call, lambda updated: insert_argument(
            updated, len(updated.args), cst.Arg(_dict(values), keyword=cst.Name("values"),
                                                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))),
        ))
    elif style == "$1":
        def add_positionals(updated: cst.Call) -> cst.Call:
            for offset, (_name, expression) in enumerate(values):
                updated = insert_argument(updated, _positional_end(updated), cst.Arg(expression))
            return updated
        fix.change(call, add_positionals)
    else:
        fix.change(call, lambda updated: insert_argument(updated, _positional_end(updated), cst.Arg(_tuple(values))))
    return fix


def _reaches_directly(model: SemanticModel, fstring: cst.FormattedString, sink: SqlSink) -> bool:
    if sink.query is fstring:
        return True
    if not isinstance(sink.query, cst.Name):
        return False
    scope = model.scope_of[sink.call]
    bindings = scope.bindings.get(sink.query.value, [])
    uses = model.name_uses(sink.query.value, scope)
    return len(bindings) == 1 and bindings[0].how == "value" and bindings[0].node is fstring and len(uses) == 1


def _style(model: SemanticModel, sink: SqlSink) -> Tuple[str, cst.Call]:
    """The placeholder style, and the call that receives the values."""
    if not sink.traced:
        raise _NoFix("the driver is not known")
    call = sink.call
    if sink.api == "text()":
        parent_arg = model.parent(call)
        execute = model.parent(parent_arg) if isinstance(parent_arg, cst.Arg) else None
        if not (isinstance(execute, cst.Call) and isinstance(execute.func, cst.Attribute)
                and execute.func.attr.value == "execute" and execute.args and execute.args[0] is parent_arg):
            raise _NoFix("`text()` is not passed straight to `execute()`")
        receiver = model.value_of(execute.func.value, model.scope_of[execute])
        if not (isinstance(receiver, Obj) and receiver.kind in _SESSION_KINDS):
            raise _NoFix("`execute()` is not a SQLAlchemy session or connection")
        if len(execute.args) > 1 or len(call.args) > 1:
            raise _NoFix("the call already passes values")
        return ":name", execute
    receiver = model.value_of(call.func.value, model.scope_of[call])  # type: ignore[attr-defined]
    kind = receiver.kind if isinstance(receiver, Obj) else ""
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args):
        raise _NoFix("the call passes `*args`/`**kwargs`")
    if kind in _DATABASES_KINDS:
        if len(positional) > 1 or any(arg.keyword is not None and arg.keyword.value == "values" for arg in call.args):
            raise _NoFix("the call already passes values")
        return ":name", call
    query_by_keyword = any(arg.keyword is not None and arg.value is sink.query for arg in call.args)
    if len(positional) > 1 or query_by_keyword:
        raise _NoFix("the call already passes values" if len(positional) > 1 else "the query is passed by keyword")
    if sink.placeholder == "$1":
        return "$1", call
    if kind in _QMARK_KINDS:
        return "?", call
    if kind in _FORMAT_KINDS:
        return "%s", call
    raise _NoFix("this driver's placeholders are not supported by the fix")


def _split(model: SemanticModel, fstring: cst.FormattedString, sink: SqlSink, style: str):
    """The new literal's pieces, and the (name, expression) values in order."""
    strings = string_analysis(model)
    scope = model.scope_of[sink.call]
    parts = list(fstring.parts)
    pieces: List[str] = []
    values: List[Tuple[str, cst.BaseExpression]] = []
    names: Dict[str, str] = {}  # expression code -> placeholder name
    for index, part in enumerate(parts):
        if isinstance(part, cst.FormattedStringText):
            if "%" in part.value and style == "%s":
                raise _NoFix("the SQL contains `%`, which the driver would read as a placeholder")
            if style == "$1" and re.search(r"\$\d", part.value):
                raise _NoFix("the SQL already has `$n` placeholders")
            pieces.append(part.value.replace("{{", "{").replace("}}", "}"))
            continue
        if part.conversion is not None or part.format_spec is not None:
            raise _NoFix("a value has a conversion or format spec")
        if strings.static_text(part.expression, scope) is not None:
            raise _NoFix("a constant is spliced in, probably a name")
        before = pieces[-1] if pieces else ""
        after = parts[index + 1].value if index + 1 < len(parts) and isinstance(parts[index + 1], cst.FormattedStringText) else ""
        quoted_before = before.endswith(("'", '"'))
        quoted_after = after.startswith(("'", '"'))
        inside_quotes = "".join(pieces).count("'") % 2 == 1
        if quoted_before != quoted_after or (quoted_before and before[-1] != after[0]) or (
            inside_quotes and not quoted_before
        ):
            raise _NoFix("the value is part of a quoted pattern (`LIKE '%...%'`): bind the whole pattern")
        if quoted_before and before[-1] == '"':
            raise _NoFix("the value is a quoted identifier")
        so_far = "".join(pieces)  # the whole statement so far: `VALUES ('{a}', {b})`
        if not _value_position(so_far[:-1] if quoted_before else so_far):
            raise _NoFix("the value is not in a plain value position (a name, or part of an expression)")
        if quoted_before:
            pieces[-1] = before[:-1]
            parts[index + 1] = parts[index + 1].with_changes(value=after[1:])  # type: ignore[union-attr]
        code = model.module.code_for_node(part.expression)
        if style in (":name", "$1") and code in names:
            name = names[code]
        else:
            name = _unique(_name_for(part.expression), {n for n, _ in values})
            names[code] = name
            values.append((name, part.expression))
        number = [n for n, _ in values].index(name) + 1
        pieces.append({":name": f":{name}", "$1": f"${number}", "?": "?", "%s": "%s"}[style])
    return pieces, values


def _value_position(text: str) -> bool:
    """Whether SQL text ending like this expects a value next."""
    if _VALUE_AFTER.search(text):
        return True
    stripped = text.rstrip()
    if stripped.endswith(("(", ",")):
        opening = unclosed_paren(stripped)
        return opening is not None and bool(_LIST_OPENER.search(stripped[:opening]))
    return False


def _name_for(expression: cst.BaseExpression) -> str:
    if isinstance(expression, cst.Name):
        return expression.value
    if isinstance(expression, cst.Attribute):
        base = _name_for(expression.value)
        return f"{base}_{expression.attr.value}" if base != "value" else expression.attr.value
    if isinstance(expression, cst.Subscript) and len(expression.slice) == 1:
        key = expression.slice[0].slice
        if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString):
            text = key.value.evaluated_value
            if isinstance(text, str) and text.isidentifier():
                return text
    if isinstance(expression, cst.Call):
        return _name_for(expression.func)
    return "value"


def _unique(name: str, taken: set) -> str:
    name = re.sub(r"\W", "_", name) or "value"
    if name not in taken:
        return name
    counter = 2
    while f"{name}_{counter}" in taken:
        counter += 1
    return f"{name}_{counter}"


def _literal(fstring: cst.FormattedString, pieces: List[str]) -> str:
    prefix = fstring.prefix.replace("f", "").replace("F", "")
    return f"{prefix}{fstring.start[len(fstring.prefix):]}{''.join(pieces)}{fstring.end}"


def _dict(values) -> cst.Dict:
    return cst.Dict([cst.DictElement(cst.SimpleString(f'"{name}"'), expression) for name, expression in values])


def _tuple(values) -> cst.Tuple:
    elements = [cst.Element(expression) for _name, expression in values]
    if len(elements) == 1:
        elements = [elements[0].with_changes(comma=cst.Comma())]
    return cst.Tuple(elements)


def _positional_end(call: cst.Call) -> int:
    """Where a new positional argument goes: after the last positional one."""
    position = 0
    for index, arg in enumerate(call.args):
        if arg.keyword is None and not arg.star:
            position = index + 1
    return position


__all__ = ["placeholder_fix"]
