"""How a string was built, and where SQL strings are executed (for ADB4xx).

``origin`` follows a string through literals, f-strings, ``%``, ``.format()``,
``+``, ``+=``, ``str.join`` and local variables (across branches), and lists
the *dynamic constructions* on the way: the places where a value that is not
a literal or a module-level constant was spliced into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.semantic import Binding, Scope, SemanticModel
from asyncdb_lint.model.values import Extern, Obj

HOLE = "\u25a1"  # stands for a spliced value in the reconstructed text


@dataclass(frozen=True)
class Construction:
    kind: str  # "fstring", "percent", "format", "concat", "join"
    node: cst.CSTNode


@dataclass(frozen=True)
class StringOrigin:
    text: str  # the literal text, with HOLE where values are spliced in
    constructions: Tuple[Construction, ...] = ()

    @property
    def dynamic(self) -> bool:
        return bool(self.constructions)


@dataclass(frozen=True)
class SqlSink:
    call: cst.Call
    query: cst.BaseExpression
    placeholder: str  # the driver's style: ":name", "$1", "?", "%s"
    api: str  # for messages: "Database.fetch_all()"
    traced: bool  # False when the receiver is unknown and only the method name says "SQL"


_SQL_START = re.compile(
    r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|PRAGMA|GRANT|REVOKE|VACUUM|TRUNCATE|"
    r"REPLACE|MERGE|EXPLAIN|ANALYZE|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|SET|SHOW|CALL|EXEC|EXECUTE|COPY|LOCK|"
    r"DECLARE|UPSERT|REINDEX|ATTACH|DETACH|COMMENT|REFRESH|LISTEN|NOTIFY|UNLISTEN|DO|VALUES|TABLE)\b",
    re.IGNORECASE,
)
_SQL_INSIDE = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\b.+\bSET\b|\bDELETE\s+FROM\b|"
    r"\bCREATE\s+(TABLE|INDEX|VIEW|SCHEMA|DATABASE)\b|\bDROP\s+(TABLE|INDEX|VIEW|SCHEMA|DATABASE)\b|"
    r"\bALTER\s+TABLE\b|\bTRUNCATE\b|\bWHERE\b.+=",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_sql(text: str) -> bool:
    normalised = " ".join(text.split())
    return bool(_SQL_START.search(normalised) or _SQL_INSIDE.search(normalised))


class StringAnalysis:
    """String origins for one model; memoised, cycle-safe."""

    def __init__(self, model: SemanticModel):
        self.model = model
        self._memo: Dict[int, Optional[StringOrigin]] = {}
        self._busy: set = set()

    # ------------------------------------------------------------ origins
    def origin(self, expr: cst.CSTNode, scope: Scope) -> Optional[StringOrigin]:
        """How ``expr`` was built, or None when it is not known to be a string."""
        key = id(expr)
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            result = self._origin(expr, scope)
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def _origin(self, expr: cst.CSTNode, scope: Scope) -> Optional[StringOrigin]:
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            return StringOrigin(value if isinstance(value, str) else value.decode("latin-1"))
        if isinstance(expr, cst.ConcatenatedString):
            joined = _join([self.origin(expr.left, scope), self.origin(expr.right, scope)])
            if joined is not None and any(c.kind == "fstring" for c in joined.constructions):
                # One literal written over several lines is one construction.
                others = tuple(c for c in joined.constructions if c.kind != "fstring")
                return StringOrigin(joined.text, others + (Construction("fstring", expr),))
            return joined
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, scope)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope)
        if isinstance(expr, cst.IfExp):
            return _either([self.origin(expr.body, scope), self.origin(expr.orelse, scope)])
        return None

    def _fstring(self, expr: cst.FormattedString, scope: Scope) -> StringOrigin:
        text: List[str] = []
        dynamic = False
        inner: List[Construction] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                text.append(part.value)
                continue
            static = self.static_text(part.expression, scope)
            if static is None:
                dynamic = True
                text.append(HOLE)
            else:
                text.append(static)
        if dynamic:
            inner.append(Construction("fstring", expr))
        return StringOrigin("".join(text), tuple(inner))

    def _binary(self, expr: cst.BinaryOperation, scope: Scope) -> Optional[StringOrigin]:
        if isinstance(expr.operator, cst.Add):
            left, right = self.origin(expr.left, scope), self.origin(expr.right, scope)
            if left is None and right is None:
                return None
            parts = []
            for side, origin in ((expr.left, left), (expr.right, right)):
                if origin is None and self.static_text(side, scope) is None:
                    parts.append(StringOrigin(HOLE, (Construction("concat", expr),)))
                else:
                    parts.append(origin or StringOrigin(self.static_text(side, scope) or ""))
            return _join(parts)
        if isinstance(expr.operator, cst.Modulo):
            left = self.origin(expr.left, scope)
            if left is None:
                return None
            if self._all_static(expr.right, scope):
                return left
            return StringOrigin(left.text.replace("%s", HOLE), left.constructions + (Construction("percent", expr),))
        return None

    def _call(self, call: cst.Call, scope: Scope) -> Optional[StringOrigin]:
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = self.origin(func.value, scope)
            if receiver is None:
                if method == "dedent" and self.model.qualname_of(func, scope) == "textwrap.dedent" and call.args:
                    return self.origin(call.args[0].value, scope)
                return None
            if method in ("format", "format_map"):
                if all(self._all_static(arg.value, scope) for arg in call.args):
                    return receiver
                return StringOrigin(receiver.text, receiver.constructions + (Construction("format", call),))
            if method == "join" and call.args:
                elements = self._iterable_elements(call.args[0].value, scope)
                if elements is None:
                    return StringOrigin(HOLE, (Construction("join", call),))
                joined = _join([e for e in elements if e is not None]) if all(e is not None for e in elements) else None
                if joined is None:
                    return StringOrigin(HOLE, (Construction("join", call),))
                return joined
            if method in ("strip", "lstrip", "rstrip", "upper", "lower", "replace", "removeprefix", "removesuffix"):
                return receiver
            return None
        if isinstance(func, cst.Name) and func.value == "str" and call.args:
            return self.origin(call.args[0].value, scope)
        return None

    def _iterable_elements(self, expr: cst.CSTNode, scope: Scope) -> Optional[List[Optional[StringOrigin]]]:
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return [self._element_origin(e.value, scope) for e in expr.elements]
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            inner_scope = self.model.scope_of.get(expr, scope)
            return [self._element_origin(expr.elt, inner_scope)]
        return None

    def _element_origin(self, expr: cst.CSTNode, scope: Scope) -> Optional[StringOrigin]:
        origin = self.origin(expr, scope)
        if origin is not None:
            return origin
        static = self.static_text(expr, scope)
        return StringOrigin(static) if static is not None else None

    def _name(self, name: str, scope: Scope) -> Optional[StringOrigin]:
        bindings = self._bindings(name, scope)
        if not bindings:
            return None
        origins: List[StringOrigin] = []
        for binding in bindings:
            origin = self._binding_origin(binding)
            if origin is None:
                return None  # some assignment we cannot read: unknown
            origins.append(origin)
        return _sequence(origins)

    def _binding_origin(self, binding: Binding) -> Optional[StringOrigin]:
        node = binding.node
        if binding.how == "value":
            return self.origin(node, binding.scope)
        if binding.how == "annotated" and isinstance(node, cst.AnnAssign) and node.value is not None:
            return self.origin(node.value, binding.scope)
        if binding.how == "augmented" and isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign):
            added = self.origin(node.value, binding.scope)
            if added is not None:
                return added
            if self.static_text(node.value, binding.scope) is not None:
                return StringOrigin(self.static_text(node.value, binding.scope) or "")
            return StringOrigin(HOLE, (Construction("concat", node),))
        return None

    def _bindings(self, name: str, scope: Scope) -> List[Binding]:
        current: Optional[Scope] = scope
        if name in scope.globals:
            current = self.model.module_scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return [b for b in current.bindings[name] if b.how != "none"]
            first = False
            current = current.parent
        return []

    def static_text(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        """The text of a literal or of a constant (a name only ever bound to literals)."""
        if isinstance(expr, (cst.Integer, cst.Float)):
            return expr.value
        if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
            return expr.value
        origin = self.origin(expr, scope)
        if origin is not None and not origin.dynamic and HOLE not in origin.text:
            return origin.text
        if isinstance(expr, cst.Name):
            bindings = self._bindings(expr.value, scope)
            if bindings and all(
                b.how == "value" and isinstance(b.node, (cst.Integer, cst.Float)) for b in bindings
            ):
                return bindings[0].node.value  # type: ignore[union-attr]
        return None

    def _all_static(self, expr: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(expr, (cst.Tuple, cst.List)):
            return all(self.static_text(e.value, scope) is not None for e in expr.elements)
        if isinstance(expr, cst.Dict):
            return all(
                isinstance(e, cst.DictElement) and self.static_text(e.value, scope) is not None for e in expr.elements
            )
        return self.static_text(expr, scope) is not None

    # ------------------------------------------------------------ sinks
    def sinks(self) -> Iterator[SqlSink]:
        for call in self.model.calls:
            sink = self._sink(call)
            if sink is not None:
                yield sink

    def _sink(self, call: cst.Call) -> Optional[SqlSink]:
        model = self.model
        scope = model.scope_of[call]
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = model.value_of(func.value, scope)
            if isinstance(receiver, Obj):
                sink = lib.SQL_SINKS.get(receiver.kind)
                if sink is None or method not in sink[0]:
                    return None
                query = _query_argument(call)
                if query is None:
                    return None
                return SqlSink(call, query, sink[1], f"{receiver.type.label}.{method}()", True)
            if receiver is None and method in lib.UNTRACED_SQL_METHODS:
                query = _query_argument(call)
                return SqlSink(call, query, "", f"{method}()", False) if query is not None else None
            if isinstance(receiver, Extern) and receiver.qualname in lib.SQL_TEXT_FUNCTIONS:
                return None
        callee = model.value_of(func, scope)
        if isinstance(callee, Extern) and callee.qualname in lib.SQL_TEXT_FUNCTIONS:
            query = _query_argument(call, keywords=("text",))
            if query is not None:
                placeholder = lib.SQL_TEXT_FUNCTIONS[callee.qualname]
                api = "text()" if placeholder == ":name" else f"{callee.qualname.rsplit('.', 1)[-1]}()"
                return SqlSink(call, query, placeholder, api, True)
        return None


def _query_argument(call: cst.Call, keywords=lib.SQL_QUERY_KEYWORDS) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _join(parts: List[Optional[StringOrigin]]) -> Optional[StringOrigin]:
    if any(part is None for part in parts):
        return None
    return StringOrigin(
        "".join(p.text for p in parts),  # type: ignore[union-attr]
        tuple(c for p in parts for c in p.constructions),  # type: ignore[union-attr]
    )


def _either(options: List[Optional[StringOrigin]]) -> Optional[StringOrigin]:
    known = [o for o in options if o is not None]
    if not known:
        return None
    return StringOrigin(" ".join(o.text for o in known), tuple(c for o in known for c in o.constructions))


def _sequence(origins: List[StringOrigin]) -> StringOrigin:
    """All assignments of a name, in order: `q = "..."; q += "..."`."""
    return StringOrigin(
        "".join(o.text for o in origins), tuple(dict.fromkeys(c for o in origins for c in o.constructions))
    )


def string_analysis(model: SemanticModel) -> StringAnalysis:
    """One analysis per model, shared by every rule that asks."""
    analysis = model.__dict__.get("_strings")
    if analysis is None:
        analysis = model.__dict__["_strings"] = StringAnalysis(model)
    return analysis
