"""How a string was built, and where SQL strings are executed (for ADB4xx).

``origin`` follows a string through literals, f-strings, ``%``, ``.format()``,
``+``, ``+=``, ``*``, ``str.join`` (also of a list built with ``.append``), str
methods and variables (across branches, in functions and at module level), and
lists the *dynamic constructions* on the way: the places where a value that is
not literal-only was spliced into the text. Each spliced value is a *hole*: a
HOLE character in the reconstructed text, with the construction and the
expression it came from, so that rules can read the SQL around it. A string
built in the code and spliced into another (`where = f"a = '{x}'"`, then
`f"... WHERE {where}"`) is read in place: its own holes keep their place in the
whole statement.

Literal-only ("static") values, never holes (model/literals.py): literals; names only ever bound to
static values; loop variables over literal containers (a list, tuple or set, a
dict's keys/values/items, `range()`, and `enumerate`/`zip`/`sorted`/`reversed`
of those, nested loops included); a literal container indexed by anything
(`COLUMNS[key]`, `COLUMNS.get(key)`) when all its values are static;
conditionals of static values; int arithmetic on them; str methods and slices
of static strings; a static string repeated (`"?, " * n`) or joined over static
elements (`", ".join("?" for _ in rows)`); uuids; the result of a quoting or
sanitising function (`identifier_preparer.quote(name)`, `quote_ident(...)`);
and a name checked first - against an allow-list (`x if x in ALLOWED else "id"`,
`if x not in ALLOWED: raise`) or by a validator (`validate_name(x)`,
`if not x.isidentifier(): raise`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple, Union

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.literals import (
    HOLE, _MUTATORS, _QUOTING_CALL, LiteralValues, _callee_name, _numeric_format, _spec_text,
)
from asyncdb_lint.model.semantic import Binding, FunctionInfo, FunctionValue, Scope, SemanticModel
from asyncdb_lint.model.values import Extern


@dataclass(frozen=True)
class Construction:
    kind: str  # "fstring", "percent", "format", "concat", "join"
    node: cst.CSTNode


@dataclass(frozen=True)
class Hole:
    construction: Construction
    expr: Optional[cst.CSTNode]  # the spliced expression, when one is known
    numeric: bool = False  # formatted as a number (`%d`, `{:.2f}`): a value, never a name
    escaped: str = ""  # the quote it was escaped for (`x.replace("'", "''")`): safe inside that quote

    def moved(self, construction: Construction) -> "Hole":
        return Hole(construction, self.expr, self.numeric, self.escaped)


@dataclass(frozen=True)
class StringOrigin:
    text: str  # the literal text, with HOLE where values are spliced in
    constructions: Tuple[Construction, ...] = ()
    holes: Tuple[Hole, ...] = ()  # one per HOLE in ``text``, in order

    @property
    def dynamic(self) -> bool:
        return bool(self.constructions)

    def contexts(self) -> Iterator[Tuple[Hole, str, str]]:
        """Each hole with the text before and after it."""
        pieces = self.text.split(HOLE)
        for index, hole in enumerate(self.holes[: len(pieces) - 1]):
            yield hole, HOLE.join(pieces[: index + 1]), HOLE.join(pieces[index + 1:])


@dataclass(frozen=True)
class SqlSink:
    call: cst.Call
    query: cst.BaseExpression
    placeholder: str  # the driver's style: ":name", "$1", "?", "%s"
    api: str  # for messages: "Database.fetch_all()"
    traced: bool  # False when the receiver is unknown and only the method name says "SQL"
    kind: str = ""  # the receiver's kind ("asyncpg.Pool"), or the text function's qualname
    passes_values: bool = False  # the call (or `execute` around `text()`) passes values separately


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
_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsab%])"
)
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_STR_METHODS = frozenset(
    "strip lstrip rstrip upper lower title capitalize casefold swapcase replace removeprefix removesuffix "
    "ljust rjust center zfill expandtabs".split()
)
# Keyword arguments that carry a query's values (beside the query itself).
_VALUE_KEYWORDS = frozenset({"values", "parameters", "params", "args", "vars", "parameters_", "bind_params"})


def looks_like_sql(text: str) -> bool:
    normalised = " ".join(text.split())
    return bool(_SQL_START.search(normalised) or _SQL_INSIDE.search(normalised))


def _hole(construction: Construction, expr: Optional[cst.CSTNode]) -> StringOrigin:
    return StringOrigin(HOLE, (construction,), (Hole(construction, expr),))


class StringAnalysis(LiteralValues):
    """String origins for one model; memoised, cycle-safe. What is literal-only
    (never a hole) is the mixin's (model/literals.py)."""

    def __init__(self, model: SemanticModel):
        self.model = model
        self._memo: Dict[int, Optional[StringOrigin]] = {}
        self._busy: set = set()
        self._scalar_memo: Dict[int, Optional[str]] = {}
        self._elements_busy: set = set()
        self._loop_index: Optional[Dict[Tuple[int, str], List[cst.CSTNode]]] = None

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
            own = {id(expr.left), id(expr.right)}
            if joined is not None and any(c.kind == "fstring" and id(c.node) in own for c in joined.constructions):
                # One literal written over several lines is one construction.
                whole = Construction("fstring", expr)
                mine = lambda c: c.kind == "fstring" and id(c.node) in own  # noqa: E731
                return StringOrigin(
                    joined.text,
                    _unique(tuple(c for c in joined.constructions if not mine(c)) + (whole,)),
                    tuple(h.moved(whole) if mine(h.construction) else h for h in joined.holes),
                )
            return joined
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, scope)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        if isinstance(expr, cst.Name):
            return self._name(expr, scope)
        if isinstance(expr, cst.IfExp):
            if self._allow_listed(expr, scope):
                return StringOrigin(self.static_text(expr.orelse, scope) or "")
            return _either([self._element_origin(expr.body, scope), self._element_origin(expr.orelse, scope)])
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, self._binding_origin)
        if isinstance(expr, cst.Subscript):
            sliced = self.origin(expr.value, scope)
            if sliced is not None:
                return sliced  # a piece of a string: literal-only if the string is
            values = self._indexed_values(expr, scope)
            if values and all(v is not None for v in values) and any(isinstance(v, str) for v in values):
                return StringOrigin(next(v for v in values if isinstance(v, str)))  # type: ignore[arg-type]
        return None

    def _fstring(self, expr: cst.FormattedString, scope: Scope) -> StringOrigin:
        construction = Construction("fstring", expr)
        parts: List[Union[str, Hole, StringOrigin]] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            plain = part.conversion is None and part.format_spec is None
            spec = _spec_text(part.format_spec) if part.format_spec is not None else ""
            parts.append(self._splice(construction, part.expression, scope, plain, numeric=_numeric_format(spec)))
        return _assemble(parts, construction)

    def _splice(
        self, construction: Construction, expr: cst.CSTNode, scope: Scope, plain: bool = True, numeric: bool = False
    ) -> Union[str, Hole, StringOrigin]:
        """What one spliced expression puts into the text: its static text, the
        text of a string built here (read in place, with its own holes), or a hole."""
        static = self.static_text(expr, scope)
        if static is not None:
            return static
        if plain:
            inner = self.origin(expr, scope)
            if inner is not None and inner.dynamic:
                return inner
        numeric = numeric or self._numeric(expr, scope)
        return Hole(construction, expr, numeric, self._escaped_for(expr, scope))

    def _binary(self, expr: cst.BinaryOperation, scope: Scope) -> Optional[StringOrigin]:
        if isinstance(expr.operator, cst.Add):
            left, right = self.origin(expr.left, scope), self.origin(expr.right, scope)
            if left is None and right is None:
                return None
            construction = Construction("concat", expr)
            parts = []
            for side, origin in ((expr.left, left), (expr.right, right)):
                if origin is not None:
                    parts.append(origin)
                    continue
                spliced = self._splice(construction, side, scope)
                parts.append(_assemble([spliced], construction))
            return _join(parts)
        if isinstance(expr.operator, cst.Multiply):
            # "?, " * n: the same text again, whatever n is.
            for side in (expr.left, expr.right):
                origin = self.origin(side, scope)
                if origin is not None:
                    return origin
            return None
        if isinstance(expr.operator, cst.Modulo):
            left = self.origin(expr.left, scope)
            if left is None:
                return None
            return self._percent(expr, left, scope)
        return None

    def _percent(self, expr: cst.BinaryOperation, left: StringOrigin, scope: Scope) -> StringOrigin:
        construction = Construction("percent", expr)
        right = expr.right
        if isinstance(right, cst.Name):  # `"... %(name)s" % params` with `params = {...}` just before
            found = self._bindings(right.value, scope, right)
            if found is not None and len(found[1]) == 1 and found[1][0].how == "value" \
                    and isinstance(found[1][0].node, (cst.Dict, cst.Tuple)) and not self._mutated(right.value, found[0]):
                right = found[1][0].node  # type: ignore[assignment]
        positional: Optional[List[cst.BaseExpression]] = None
        mapping: Dict[str, cst.BaseExpression] = {}
        if isinstance(right, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in right.elements):
            positional = [e.value for e in right.elements]
        elif isinstance(right, cst.Dict):
            for element in right.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    key = element.key.evaluated_value
                    if isinstance(key, str):
                        mapping[key] = element.value
        elif not isinstance(right, (cst.Tuple, cst.List)):
            positional = [right]
        whole_static = self._all_static(right, scope)
        counter = [0]

        def replace(match: "re.Match[str]") -> Union[str, Hole, StringOrigin]:
            conversion = match.group("conv")
            if conversion == "%":
                return "%"
            value: Optional[cst.BaseExpression] = None
            if match.group("key") is not None:
                value = mapping.get(match.group("key"))
            elif positional is not None:
                index = counter[0]
                counter[0] += 1
                value = positional[index] if index < len(positional) else None
            if value is None:  # a name holding the tuple or dict: read as a whole
                return "" if whole_static else Hole(construction, right, conversion in _NUMERIC_CONVERSIONS)
            return self._splice(construction, value, scope, conversion == "s", conversion in _NUMERIC_CONVERSIONS)

        return _substitute(left, _PERCENT_SPEC, replace, construction)

    def _format(self, call: cst.Call, receiver: StringOrigin, scope: Scope, as_map: bool) -> StringOrigin:
        construction = Construction("format", call)
        positional: List[cst.BaseExpression] = []
        keywords: Dict[str, cst.BaseExpression] = {}
        if as_map:
            mapping = call.args[0].value if call.args else None
            if isinstance(mapping, cst.Dict):
                for element in mapping.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                        key = element.key.evaluated_value
                        if isinstance(key, str):
                            keywords[key] = element.value
        else:
            for arg in call.args:
                if arg.star:
                    continue
                if arg.keyword is None:
                    positional.append(arg.value)
                else:
                    keywords[arg.keyword.value] = arg.value
        counter = [0]

        def replace(match: "re.Match[str]") -> Union[str, Hole, StringOrigin]:
            whole = match.group(0)
            if whole in ("{{", "}}"):
                return whole[0]
            field = match.group("field") or ""
            name, _, spec = field.partition(":")
            name, _, conversion = name.partition("!")
            base = re.match(r"[^.\[]*", name).group(0)  # type: ignore[union-attr]
            value: Optional[cst.BaseExpression] = None
            if base == "":
                index = counter[0]
                counter[0] += 1
                value = positional[index] if index < len(positional) else None
            elif base.isdigit():
                index = int(base)
                value = positional[index] if index < len(positional) else None
            else:
                value = keywords.get(base)
            if value is None:  # *args, **kwargs, a mapping we cannot read
                return Hole(construction, None, _numeric_format(spec))
            if base != name:  # `{0.attr}`, `{0[key]}`: some part of the value
                return Hole(construction, value, _numeric_format(spec))
            return self._splice(construction, value, scope, not spec and not conversion, _numeric_format(spec))

        return _substitute(receiver, _FORMAT_FIELD, replace, construction)

    def _call(self, call: cst.Call, scope: Scope) -> Optional[StringOrigin]:
        func = call.func
        if _QUOTING_CALL.match(_callee_name(func)):
            return StringOrigin("q")  # quoted by a quoting function: what ADB404 asks for
        if isinstance(func, (cst.Name, cst.Attribute)):
            callee = self.model.value_of(func, scope)  # a function or method of this file: `self._table_name()`
            if isinstance(callee, FunctionValue):
                return self._returned_text(callee.info)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = self.origin(func.value, scope)
            if receiver is None:
                if method == "dedent" and self.model.qualname_of(func, scope) == "textwrap.dedent" and call.args:
                    return self.origin(call.args[0].value, scope)
                if method == "get" and call.args:
                    values = self._get_values(call, scope)
                    if values and all(isinstance(v, str) for v in values):
                        return StringOrigin(values[0])  # type: ignore[arg-type]
                return None
            if method in ("format", "format_map"):
                return self._format(call, receiver, scope, as_map=method == "format_map")
            if method == "join" and call.args:
                return self._join_call(call, receiver, scope)
            if method in _STR_METHODS:
                return receiver
            return None
        if isinstance(func, cst.Name) and func.value == "str" and call.args:
            arg = call.args[0].value
            origin = self.origin(arg, scope)
            if origin is not None:
                return origin
            static = self._scalar(arg, scope)
            return StringOrigin(static) if static is not None else None
        return None

    def _argument_origin(self, param: cst.Param, info: FunctionInfo) -> Optional[StringOrigin]:
        """A parameter of a function nested in another, when every call of it (all
        in the enclosing function) passes literal-only text: ``_version(cur, "migrations")``."""
        outer = info.scope.parent
        if outer is None or outer.kind != "function" or info.owner is not None:
            return None
        params = list(info.node.params.params)
        position = next((i for i, p in enumerate(params) if p is param), None)
        key = ("argument", id(param))
        if key in self._elements_busy:
            return None
        self._elements_busy.add(key)
        try:
            options: List[Optional[StringOrigin]] = []
            for use in self.model.name_uses(info.name, outer):
                call = self.model.parent(use)
                if not (isinstance(call, cst.Call) and call.func is use):
                    return None  # passed on as a value: called from elsewhere
                argument = _argument_for(call, param.name.value, position)
                if argument is None:
                    argument = param.default
                if argument is None:
                    return None
                scope = self.model.scope_at(call)
                text = self.static_text(argument, scope)
                options.append(StringOrigin(text) if text is not None else None)
            return _either(options) if options else None
        finally:
            self._elements_busy.discard(key)

    def _returned_text(self, info: FunctionInfo) -> Optional[StringOrigin]:
        """What a plain function of this file returns, when every ``return`` is
        literal-only text, or text with only numbers spliced in
        (``f"savepoint_{next(counter)}"``): a name the code makes itself."""
        if info.is_async or info.is_generator or not info.returns:
            return None
        texts: List[str] = []
        for expr in info.returns:
            if expr is None:
                return None
            origin = self.origin(expr, info.scope)
            if origin is None or not all(hole.numeric for hole in origin.holes):
                return None
            texts.append(origin.text.replace(HOLE, "0"))
        return StringOrigin(texts[0])

    def _join_call(self, call: cst.Call, separator: StringOrigin, scope: Scope) -> StringOrigin:
        construction = Construction("join", call)
        argument = call.args[0].value
        if separator.dynamic:
            return _hole(construction, argument)
        elements = self._joined_elements(argument, scope)
        if elements is None:
            static = self._literal_elements(argument, scope)
            if static is not None and static and all(isinstance(e, str) for e in static):
                return StringOrigin(separator.text.join(static))  # type: ignore[arg-type]
            return _hole(construction, argument)
        parts: List[StringOrigin] = []
        for index, (origin, node) in enumerate(elements):
            if index:
                parts.append(StringOrigin(separator.text))
            spliced = self._splice(construction, node, self.model.scope_at(node))
            parts.append(origin if origin is not None else _assemble([spliced], construction))
        return _join(parts) or StringOrigin("")

    def _joined_elements(
        self, expr: cst.CSTNode, scope: Scope
    ) -> Optional[List[Tuple[Optional[StringOrigin], cst.CSTNode]]]:
        """The elements a `join` concatenates, written out, each with its origin (None: not a known string)."""
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            if any(isinstance(e, cst.StarredElement) for e in expr.elements):
                return None
            return [(self._element_origin(e.value, scope), e.value) for e in expr.elements]
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            inner_scope = self.model.scope_of.get(expr, scope)
            return [(self._element_origin(expr.elt, inner_scope), expr.elt)]
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
            for side in (expr.left, expr.right):  # ["?"] * n
                if isinstance(side, (cst.List, cst.Tuple)):
                    return self._joined_elements(side, scope)
        if isinstance(expr, cst.Name):  # `parts = [...]; parts.append(...)` then `", ".join(parts)`
            found = self._bindings(expr.value, scope)
            if found is None or len(found[1]) != 1:
                return None
            binding = found[1][0]
            node = binding.node.value if binding.how == "annotated" else binding.node  # type: ignore[union-attr]
            if binding.how not in ("value", "annotated") or id(node) in self._busy:
                return None
            if not isinstance(node, (cst.List, cst.Tuple, cst.ListComp, cst.GeneratorExp)):
                return None
            added = self._appended(expr.value, found[0])
            if added is None:
                return None
            self._busy.add(id(node))
            try:
                elements = self._joined_elements(node, binding.scope)
            finally:
                self._busy.discard(id(node))
            return None if elements is None else elements + added
        return None

    def _appended(
        self, name: str, home: Scope
    ) -> Optional[List[Tuple[Optional[StringOrigin], cst.CSTNode]]]:
        """What `name.append(x)` adds to a list, or None when it is changed some other way."""
        added: List[Tuple[Optional[StringOrigin], cst.CSTNode]] = []
        for use in self.model.name_uses(name, home):
            parent = self.model.parent(use)
            if isinstance(parent, cst.Subscript) and isinstance(self.model.parent(parent), cst.AssignTarget):
                return None
            if not (isinstance(parent, cst.Attribute) and parent.attr.value in _MUTATORS):
                continue
            call = self.model.parent(parent)
            if not (parent.attr.value == "append" and isinstance(call, cst.Call) and len(call.args) == 1):
                return None
            value = call.args[0].value
            added.append((self._element_origin(value, self.model.scope_at(value)), value))
        return added

    def _element_origin(self, expr: cst.CSTNode, scope: Scope) -> Optional[StringOrigin]:
        origin = self.origin(expr, scope)
        if origin is not None:
            return origin
        static = self.static_text(expr, scope)
        return StringOrigin(static) if static is not None else None

    def _name(self, node: cst.Name, scope: Scope) -> Optional[StringOrigin]:
        return self._name_bindings(node.value, scope, node)

    def _name_bindings(self, name: str, scope: Scope, use: Optional[cst.CSTNode] = None) -> Optional[StringOrigin]:
        found = self._bindings(name, scope, use)
        if found is None:
            return None
        home, bindings = found
        origins: List[StringOrigin] = []
        for binding in bindings:
            if binding.how == "unknown":
                continue
            origin = self._binding_origin(binding)
            if origin is None:
                return None  # some assignment we cannot read: unknown
            origins.append(origin)
        loops = self._loop_elements(name, home, bindings)
        if loops is not None:
            if not loops:
                return None
            for element in loops:
                if isinstance(element, str):
                    origins.append(StringOrigin(element))
                elif isinstance(element, tuple):
                    origins.append(StringOrigin("(...)"))
                else:
                    return None  # an int (see _scalar), or not literal-only
        return _sequence(origins) if origins else None

    def _binding_origin(self, binding: Binding) -> Optional[StringOrigin]:
        node = binding.node
        if binding.how == "value":
            return self.origin(node, binding.scope)
        if binding.how == "param" and isinstance(node, cst.Param) and isinstance(binding.data, FunctionInfo):
            return self._argument_origin(node, binding.data)
        if binding.how == "function" and isinstance(binding.data, FunctionInfo) and {
            "property", "cached_property", "functools.cached_property",
        } & set(binding.data.decorator_names()):
            return self._returned_text(binding.data)  # `self.suffix` of a property returning literal text
        if binding.how == "annotated" and isinstance(node, cst.AnnAssign) and node.value is not None:
            return self.origin(node.value, binding.scope)
        if binding.how == "augmented" and isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign):
            added = self.origin(node.value, binding.scope)
            if added is not None:
                return added
            construction = Construction("concat", node)
            return _assemble([self._splice(construction, node.value, binding.scope)], construction)
        return None

    def _binding_scalar(self, binding: Binding) -> Optional[StringOrigin]:
        node = binding.node
        if binding.how == "annotated" and isinstance(node, cst.AnnAssign):
            node = node.value
        if binding.how not in ("value", "annotated") or node is None:
            return None
        text = self._scalar(node, binding.scope)
        return StringOrigin(text) if text is not None else None

    def _attribute(self, expr: cst.Attribute, scope: Scope, read: Callable) -> Optional[StringOrigin]:
        """`self.table`, `cls.TABLE`, `Model.__tablename__`: what the class body and its methods assign to it.

        Only the class the method is written in: a subclass that assigns
        something else is not seen (it usually assigns another literal)."""
        if not isinstance(expr.value, cst.Name):
            return None
        found = self._bindings(expr.value.value, scope)
        if found is None or len(found[1]) != 1 or found[1][0].how not in ("instance", "classref", "class"):
            return None  # `self.x`, `cls.X`, or `Model.X` of a class written in this file
        info = found[1][0].data
        name = expr.attr.value
        bindings = [
            *getattr(info, "scope").bindings.get(name, ()),  # class body
            *getattr(info, "instance_attrs", {}).get(name, ()),  # `self.name = ...` in its methods
        ]
        bindings = [b for b in bindings if not _sets_none(b)]
        if not bindings:
            return None
        origins = []
        for binding in bindings:
            key = ("attribute", id(binding))
            if key in self._elements_busy:
                return None
            self._elements_busy.add(key)
            try:
                origin = read(binding)
            finally:
                self._elements_busy.discard(key)
            if origin is None:
                return None
            origins.append(origin)
        return _sequence(origins)

    def _bindings(
        self, name: str, scope: Scope, use: Optional[cst.CSTNode] = None
    ) -> Optional[Tuple[Scope, List[Binding]]]:
        """The scope that binds ``name`` as seen from ``scope``, and its bindings
        (those that may reach ``use``, when given; None: unbound)."""
        home = self.model.binding_scope(name, scope)
        if home is None:
            return None
        bindings = [b for b in home.bindings[name] if not _sets_none(b)]
        if use is not None and home.kind == "class":
            # a class body runs once, top to bottom: `SELECT_SQL = SELECT_SQL` reads the module's
            bindings = [b for b in bindings if _before(self.model, b.node, use)]
            if not bindings and home.parent is not None:
                return self._bindings(name, home.parent, None)
        if use is not None:
            bindings = self.model.reaching_bindings(name, use, bindings)
        return (home, bindings) if bindings else None

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
            # an ORM model class stands for its library's: `User.raw(...)`
            library_object = model.library_object(receiver) if method in _sink_methods() else None
            if library_object is not None:
                receiver = library_object
                sink = lib.SQL_SINKS.get(receiver.kind)
                if sink is None or method not in sink[0]:
                    return None
                query = _query_argument(call)
                if query is None:
                    return None
                return SqlSink(
                    call, query, sink[1], f"{receiver.type.label}.{method}()", True, receiver.kind,
                    _passes_values(call, query),
                )
            if receiver is None and method in lib.UNTRACED_SQL_METHODS:
                query = _query_argument(call)
                if query is None:
                    return None
                return SqlSink(call, query, "", f"{method}()", False, "", _passes_values(call, query))
            if isinstance(receiver, Extern) and receiver.qualname in lib.SQL_TEXT_FUNCTIONS:
                return None
        callee = model.value_of(func, scope)
        if isinstance(callee, Extern) and callee.qualname in lib.SQL_TEXT_FUNCTIONS:
            query = _query_argument(call, keywords=("text",))
            if query is not None:
                placeholder = lib.SQL_TEXT_FUNCTIONS[callee.qualname]
                api = "text()" if placeholder == ":name" else f"{callee.qualname.rsplit('.', 1)[-1]}()"
                return SqlSink(
                    call, query, placeholder, api, True, callee.qualname, self._text_passes_values(call, query),
                )
        return None

    def _text_passes_values(self, call: cst.Call, query: cst.BaseExpression) -> bool:
        """`text(q).bindparams(...)`, or `execute(text(q), {...})`."""
        if _passes_values(call, query):
            return True
        parent = self.model.parent(call)
        if isinstance(parent, cst.Attribute) and parent.attr.value in ("bindparams", "params"):
            return True
        if isinstance(parent, cst.Arg):
            outer = self.model.parent(parent)
            if isinstance(outer, cst.Call) and outer.args and outer.args[0] is parent:
                return _passes_values(outer, call)
        return False


_NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgGc")


def _before(model: SemanticModel, node: Optional[cst.CSTNode], use: cst.CSTNode) -> bool:
    """Whether ``node`` (a binding) is in a statement before the one of ``use``, in the same body."""
    if node is None:
        return False
    block, first = model.statement_in_block(node)
    other, second = model.statement_in_block(use)
    if block is None or block is not other:
        return True  # not two statements of one body: leave it to the other rules
    return first < second


def _argument_for(call: cst.Call, name: str, position: Optional[int]) -> Optional[cst.BaseExpression]:
    """The expression a call passes for a parameter (by keyword, or by position)."""
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
            continue
        if positional == position:
            return arg.value
        positional += 1
    return None


def _sets_none(binding: Binding) -> bool:
    """`x = None` or `x: T | None = None`: says nothing about the text `x` holds."""
    if binding.how == "none":
        return True
    node = binding.node
    return binding.how == "annotated" and isinstance(node, cst.AnnAssign) and isinstance(node.value, cst.Name) \
        and node.value.value == "None"


@functools.lru_cache(maxsize=1)
def _sink_methods() -> FrozenSet[str]:
    return frozenset(method for methods, _ in lib.SQL_SINKS.values() for method in methods)


def _query_argument(call: cst.Call, keywords=lib.SQL_QUERY_KEYWORDS) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _passes_values(call: cst.Call, query: cst.CSTNode) -> bool:
    """Whether the call hands the driver values beside the query."""
    for arg in call.args:
        if arg.value is query:
            continue
        if arg.star or arg.keyword is None or arg.keyword.value in _VALUE_KEYWORDS:
            return True
    return False


def _unique(constructions: Tuple[Construction, ...]) -> Tuple[Construction, ...]:
    return tuple(dict.fromkeys(constructions))


def _substitute(
    origin: StringOrigin, pattern: "re.Pattern[str]", replace: Callable, construction: Construction
) -> StringOrigin:
    """``origin`` with each match of ``pattern`` (outside its holes) replaced by what ``replace`` splices."""
    pieces = origin.text.split(HOLE)
    parts: List[Union[str, Hole, StringOrigin]] = []
    for index, piece in enumerate(pieces):
        position = 0
        for match in pattern.finditer(piece):
            parts.append(piece[position:match.start()])
            parts.append(replace(match))
            position = match.end()
        parts.append(piece[position:])
        if index < len(pieces) - 1 and index < len(origin.holes):
            parts.append(origin.holes[index])
    assembled = _assemble(parts, construction)
    constructions = origin.constructions + assembled.constructions
    return StringOrigin(assembled.text, _unique(constructions), assembled.holes)


def _assemble(parts: List[Union[str, Hole, StringOrigin]], construction: Construction) -> StringOrigin:
    """Text, holes and constructions of spliced parts; ``construction`` counts when one of its own holes is there."""
    text: List[str] = []
    holes: List[Hole] = []
    constructions: List[Construction] = []
    own = False
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        elif isinstance(part, Hole):
            text.append(HOLE)
            holes.append(part)
            own = own or part.construction == construction
        else:
            text.append(part.text)
            holes.extend(part.holes)
            constructions.extend(part.constructions)
    if own:
        constructions.append(construction)
    return StringOrigin("".join(text), _unique(tuple(constructions)), tuple(holes))


def _join(parts: List[Optional[StringOrigin]]) -> Optional[StringOrigin]:
    if any(part is None for part in parts):
        return None
    return StringOrigin(
        "".join(p.text for p in parts),  # type: ignore[union-attr]
        _unique(tuple(c for p in parts for c in p.constructions)),  # type: ignore[union-attr]
        tuple(h for p in parts for h in p.holes),  # type: ignore[union-attr]
    )


def _either(options: List[Optional[StringOrigin]]) -> Optional[StringOrigin]:
    """One of several strings: a static one stands for all when none is dynamic."""
    if any(o is None for o in options):
        return None  # one branch we cannot read
    known: List[StringOrigin] = options  # type: ignore[assignment]
    dynamic = [o for o in known if o.dynamic]
    if not dynamic:
        return known[0]
    return StringOrigin(
        " ".join(o.text for o in dynamic),
        _unique(tuple(c for o in dynamic for c in o.constructions)),
        tuple(h for o in dynamic for h in o.holes),
    )


def _sequence(origins: List[StringOrigin]) -> StringOrigin:
    """All assignments of a name, in order: `q = "..."; q += "..."`."""
    return StringOrigin(
        "".join(o.text for o in origins),
        _unique(tuple(c for o in origins for c in o.constructions)),
        tuple(h for o in origins for h in o.holes),
    )


def string_analysis(model: SemanticModel) -> StringAnalysis:
    """One analysis per model, shared by every rule that asks."""
    analysis = model.__dict__.get("_strings")
    if analysis is None:
        analysis = model.__dict__["_strings"] = StringAnalysis(model)
    return analysis
