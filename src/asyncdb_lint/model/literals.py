"""What is literal-only: the values the SQL analysis never counts as holes.

A mixin of :class:`~asyncdb_lint.model.strings.StringAnalysis`, which builds
string origins; this half answers whether a value is *static* - its text is
known or comes from a known set - or at least a number, so that nothing spliced
from it can carry SQL: literals and names only ever bound to them, loop
variables over literal containers, literal containers indexed by anything,
conditionals and arithmetic of static values, enum members of the file,
UPPER_CASE imported constants, numbers (``int()``, ``len()``, numeric
formatting), and names checked first against an allow-list or by a validator.
It reads the origins the other half builds (``self.origin``) and its bindings
(``self._bindings``, ``self._attribute``).
"""

from __future__ import annotations

import re
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple, Union

import libcst as cst

from asyncdb_lint.model.semantic import IMPORT_BINDINGS, Binding, ClassInfo, ClassValue, Instance, Scope, SemanticModel
from asyncdb_lint.model.values import Extern

# HOLE and a few helpers below (_MUTATORS, _QUOTING_CALL, _spec_text,
# _numeric_format, _callee_name) are shared with model/strings.py.
HOLE = "\u25a1"  # stands for a spliced value in the reconstructed text


class _Int:
    """A loop variable over `range()`/`enumerate()`: some int, never text."""


INT = _Int()


# What one iteration of a literal container yields: a static string, some int,
# a tuple of those (to unpack), or None for "not literal-only".
Elem = Union[str, _Int, tuple, None]


_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "__setitem__"})


_CONTAINER_WRAPPERS = frozenset({"sorted", "reversed", "list", "tuple", "set", "frozenset", "iter"})


# Calls whose result is quoted, escaped or sanitised for SQL: `identifier_preparer.quote(name)`,
# `quote_ident(...)`, a project's own `quote(conn, name)`, `quoter(...)` or `_sanitize_name(...)`.
_QUOTING_CALL = re.compile(
    r"^_*(quote|quoter|quoted|quote_\w+|\w+_quote|\w+_quoted|escape_(identifier|literal|string|name)|format_(table|column)"
    r"|\w*saniti[sz]e\w*)$"
)


# Calls that produce tokens no SQL can hide in (uuids, process ids), by module. They are
# read off the file's own import statements (`_import_qualname`), never through the index.
_TOKEN_CALLS: Dict[str, FrozenSet[str]] = {
    "uuid": frozenset({"uuid1", "uuid3", "uuid4", "uuid5"}),
    "secrets": frozenset({"token_hex", "token_urlsafe"}),
    "os": frozenset({"getpid"}),
    "": frozenset({"id"}),
}


# A call validating a name before it is used: `validate_savepoint_name(name)`.
_VALIDATOR = re.compile(r"^_*(validate|check|ensure|verify|assert)(_|[A-Z]|$)|^_*is_valid")


_STR_CHECKS = frozenset({"isidentifier", "isalnum", "isalpha", "isdigit", "isdecimal", "isnumeric"})


# Containers named like an allow-list (`self._isolation_lookup`, `ALLOWED`, `table.columns`).
_ALLOW_LIST_NAME = re.compile(
    r"allow|valid|lookup|choices|whitelist|permitted|known|supported|columns|fields|^[A-Z][A-Z0-9_]*$"
)


def _spec_text(spec: Sequence[cst.BaseFormattedStringContent]) -> str:
    return "".join(part.value if isinstance(part, cst.FormattedStringText) else "{}" for part in spec)


_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


_NUMBER_BUILTINS = frozenset({"int", "float", "len", "round", "abs"})


_NUMBER_FUNCTIONS = frozenset({"math.ceil", "math.floor", "math.trunc"})


def _numeric_format(spec: str) -> bool:
    return bool(spec) and spec[-1:] in "bcdeEfFgGnoxX%"


def _callee_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


_INT_OPS: Dict[type, Callable[[int, int], int]] = {
    cst.Add: lambda a, b: a + b,
    cst.Subtract: lambda a, b: a - b,
    cst.Multiply: lambda a, b: a * b if abs(a * b) < 10 ** 12 else a,
    cst.FloorDivide: lambda a, b: a // b,
    cst.Modulo: lambda a, b: a % b,
}


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


_NOT_HERE = object()


def _unpack(element: Elem, target: cst.CSTNode, name: str) -> Elem:
    """What ``name`` in a loop target gets from one ``element`` (None: not literal-only)."""
    found = _unpack_inner(element, target, name)
    return None if found is _NOT_HERE else found  # type: ignore[return-value]


def _unpack_inner(element: Elem, target: cst.CSTNode, name: str) -> object:
    if isinstance(target, cst.Name):
        return element if target.value == name else _NOT_HERE
    if isinstance(target, (cst.Tuple, cst.List)):
        targets: List[cst.CSTNode] = [e.value if isinstance(e, cst.Element) else e for e in target.elements]
        if name not in set(_target_names(target)):
            return _NOT_HERE
        if not isinstance(element, tuple):
            return None
        stars = [i for i, t in enumerate(targets) if isinstance(t, cst.StarredElement)]
        if stars:  # `for (name, *rest) in ROWS`: the starred name gets the middle as a tuple
            star = stars[0]
            after = len(targets) - star - 1
            if len(element) < len(targets) - 1:
                return None
            end = len(element) - after
            items = list(element[:star]) + [tuple(element[star:end])] + list(element[end:])
            targets = targets[:star] + [targets[star].value] + targets[star + 1:]  # type: ignore[attr-defined]
            element = tuple(items)
        if len(element) != len(targets):
            return None
        for sub_element, sub_target in zip(element, targets):
            found = _unpack_inner(sub_element, sub_target, name)
            if found is not _NOT_HERE:
                return found
    return _NOT_HERE


def _ends_flow(body: cst.BaseSuite) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Raise, cst.Return, cst.Continue, cst.Break)) for s in last.body)
    if isinstance(last, cst.SimpleStatementSuite):
        return any(isinstance(s, (cst.Raise, cst.Return, cst.Continue, cst.Break)) for s in last.body)
    return False


def _statements_before(model: SemanticModel, node: cst.CSTNode, top: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Statements that run before ``node`` in the blocks enclosing it, up to ``top``."""
    child = node
    for ancestor in model.ancestors(node):
        body = getattr(ancestor, "body", None)
        statements = body if isinstance(body, (list, tuple)) else None
        if statements is not None:
            for statement in statements:
                if statement is child:
                    break
                yield statement
        if ancestor is top:
            return
        child = ancestor


def _same_code(model: SemanticModel, a: cst.CSTNode, b: cst.CSTNode) -> bool:
    return model.module.code_for_node(a) == model.module.code_for_node(b)


class LiteralValues:
    """Literal-only values, numbers, loops and allow-lists (mixed into StringAnalysis)."""

    def _numeric(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> bool:
        """A number at run time (``int(x)``, ``len(rows)``, arithmetic on them, a
        name only ever bound to one), or text made only of numbers
        (``f"{hours:+d}:{minutes:02d}"``): nothing that can carry SQL."""
        if depth > 4:
            return False
        if self._scalar(expr, scope) is not None:
            return True
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in _NUMBER_BUILTINS:
            return not self.model.binds(expr.func.value, scope)
        if isinstance(expr, cst.Call) and self.model.qualname_of(expr.func, scope) in _NUMBER_FUNCTIONS:
            return True
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("min", "max"):
            return not self.model.binds(expr.func.value, scope) and bool(expr.args) and all(
                self._numeric(arg.value, scope, depth + 1) for arg in expr.args if not arg.star
            )
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "next" and expr.args:
            # `next(counter)` of an `itertools.count()`
            counter = expr.args[0].value
            found = self._bindings(counter.value, scope) if isinstance(counter, cst.Name) else None
            return found is not None and all(
                isinstance(made, cst.Call) and self.model.qualname_of(made.func, b.scope) == "itertools.count"
                for b in found[1]
                for made in [b.node.default if b.how == "param" and isinstance(b.node, cst.Param) else b.node]
            )
        if isinstance(expr, cst.BinaryOperation) and isinstance(
            expr.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Divide, cst.Modulo)
        ):
            return self._numeric(expr.left, scope, depth + 1) and self._numeric(expr.right, scope, depth + 1)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
            return self._numeric(expr.expression, scope, depth + 1)
        if isinstance(expr, cst.FormattedString):
            return all(
                isinstance(part, cst.FormattedStringText)
                or (part.format_spec is not None and _numeric_format(_spec_text(part.format_spec)))
                or self._numeric(part.expression, scope, depth + 1)
                for part in expr.parts
            )
        if isinstance(expr, cst.Name):
            found = self._bindings(expr.value, scope, expr)
            if found is None:
                return False
            _, bindings = found
            return any(b.how != "unknown" for b in bindings) and all(
                binding.how == "value" and binding.node is not None and self._numeric(binding.node, binding.scope, depth + 1)
                for binding in bindings if binding.how != "unknown"
            )
        return False

    # ------------------------------------------------------------ literal-only values
    def static_text(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        """The text of a literal-only value (see the module docstring), or None."""
        origin = self.origin(expr, scope)
        if origin is not None:
            if not origin.dynamic and HOLE not in origin.text:
                return origin.text
        else:
            scalar = self._scalar(expr, scope)
            if scalar is not None:
                return scalar
        if isinstance(expr, (cst.Name, cst.Attribute)) and self._guarded(expr, scope):
            return self.model.module.code_for_node(expr)  # checked against an allow-list first
        if self._enum_member(expr, scope):
            return self.model.module.code_for_node(expr)  # an enum of this file: its members are the allow-list
        if self._imported_constant(expr, scope):
            return self.model.module.code_for_node(expr)  # `from pkg.types import TASKS`: a constant by convention
        return None

    def _imported_constant(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """An UPPER_CASE name bound only by an import: another module's constant."""
        if not (isinstance(expr, cst.Name) and expr.value.isupper() and len(expr.value) > 1):
            return False
        found = self._bindings(expr.value, scope, expr)
        return found is not None and all(binding.how in IMPORT_BINDINGS for binding in found[1])

    def _enum_member(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """``x.value``/``x.name`` of a member of an ``enum.Enum`` class of this file
        (``self.kind.value`` with ``kind: Kind``, ``Kind.FAST.value``)."""
        if not (isinstance(expr, cst.Attribute) and expr.attr.value in ("value", "name")):
            return False
        owner = self.model.value_of(expr.value, scope)
        if isinstance(owner, Instance):
            return self._is_enum(owner.info)
        if isinstance(expr.value, cst.Attribute):
            cls = self.model.value_of(expr.value.value, scope)
            return isinstance(cls, ClassValue) and self._is_enum(cls.info)
        return False

    def _is_enum(self, info: ClassInfo, depth: int = 0) -> bool:
        outer = info.scope.parent or self.model.module_scope
        for base in info.node.bases:
            value = self.model.value_of(base.value, outer)
            if isinstance(value, Extern) and value.qualname in _ENUM_BASES:
                return True
            if isinstance(value, ClassValue) and depth < 4 and self._is_enum(value.info, depth + 1):
                return True
        return False

    def _scalar(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        """The text of a literal-only number, bool or None (not a string)."""
        key = id(expr)
        if key in self._scalar_memo:
            return self._scalar_memo[key]
        self._scalar_memo[key] = None  # cycle guard
        result = self._scalar_uncached(expr, scope)
        self._scalar_memo[key] = result
        return result

    def _scalar_uncached(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary)):
            return expr.value
        if isinstance(expr, cst.Name):
            if expr.value in ("True", "False", "None"):
                return expr.value
            found = self._bindings(expr.value, scope, expr)
            if found is None:
                return None
            home, bindings = found
            texts: List[str] = []
            for binding in bindings:
                if binding.how == "unknown":
                    continue
                node = binding.node
                if binding.how == "annotated" and isinstance(node, cst.AnnAssign):
                    node = node.value
                elif binding.how == "augmented" and isinstance(node, cst.AugAssign):
                    node = node.value
                elif binding.how != "value":
                    return None
                text = self._scalar(node, binding.scope) if node is not None else None
                if text is None:
                    return None
                texts.append(text)
            loops = self._loop_elements(expr.value, home, bindings)
            if loops is not None:
                if not loops or not all(isinstance(e, _Int) for e in loops):
                    return None
                texts.append("1")
            return texts[0] if texts else None
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus, cst.BitInvert)):
            inner = self._scalar(expr.expression, scope)
            return None if inner is None else ("-" + inner if isinstance(expr.operator, cst.Minus) else inner)
        if isinstance(expr, cst.BinaryOperation) and not isinstance(expr.operator, cst.MatrixMultiply):
            left, right = self._scalar(expr.left, scope), self._scalar(expr.right, scope)
            if left is None or right is None:
                return None
            try:
                return str(_INT_OPS[type(expr.operator)](int(left), int(right)))
            except (KeyError, ValueError, ArithmeticError, OverflowError):
                return left
        if isinstance(expr, cst.Call):
            module, _, name = self._import_qualname(expr.func, scope).rpartition(".")
            if name in _TOKEN_CALLS.get(module, ()):
                return "0"
        if isinstance(expr, cst.Attribute) and expr.attr.value in ("hex", "int") and isinstance(expr.value, cst.Call):
            return self._scalar(expr.value, scope)
        if isinstance(expr, cst.Attribute):
            origin = self._attribute(expr, scope, self._binding_scalar)
            return origin.text if origin is not None else None
        if isinstance(expr, cst.IfExp):
            body, orelse = self._scalar(expr.body, scope), self._scalar(expr.orelse, scope)
            return body if body is not None and orelse is not None else None
        if isinstance(expr, cst.Subscript):
            values = self._indexed_values(expr, scope)
            if values and all(isinstance(v, _Int) for v in values):
                return "1"
        return None

    def _all_static(self, expr: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(expr, (cst.Tuple, cst.List)):
            return all(self.static_text(e.value, scope) is not None for e in expr.elements)
        if isinstance(expr, cst.Dict):
            return all(
                isinstance(e, cst.DictElement) and self.static_text(e.value, scope) is not None for e in expr.elements
            )
        return self.static_text(expr, scope) is not None

    def _element(self, expr: cst.CSTNode, scope: Scope) -> Elem:
        """What a literal container holds at one place: see ``Elem``."""
        if isinstance(expr, (cst.Tuple, cst.List)) and not any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return tuple(self._element(e.value, scope) for e in expr.elements)
        origin = self.origin(expr, scope)
        if origin is not None:
            return origin.text if not origin.dynamic else None
        return INT if self._scalar(expr, scope) is not None else None

    def _literal_elements(self, expr: cst.CSTNode, scope: Scope) -> Optional[List[Elem]]:
        """What iterating ``expr`` yields, when it is a literal container (or a name bound only to those)."""
        key = id(expr)
        if key in self._elements_busy:
            return None
        self._elements_busy.add(key)
        try:
            return self._literal_elements_uncached(expr, scope)
        finally:
            self._elements_busy.discard(key)

    def _literal_elements_uncached(self, expr: cst.CSTNode, scope: Scope) -> Optional[List[Elem]]:
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            out: List[Elem] = []
            for element in expr.elements:
                if isinstance(element, cst.StarredElement):
                    inner = self._literal_elements(element.value, scope)
                    if inner is None:
                        return None
                    out.extend(inner)
                else:
                    out.append(self._element(element.value, scope))
            return out
        if isinstance(expr, cst.Dict):
            pairs = self._literal_pairs(expr, scope)
            return None if pairs is None else [k for k, _ in pairs]
        if isinstance(expr, cst.Name):
            return self._over_bindings(expr.value, scope, self._literal_elements)
        origin = self.origin(expr, scope)
        if origin is not None:  # a string's characters
            return None if origin.dynamic else list(dict.fromkeys(origin.text))
        if isinstance(expr, cst.Call):
            func = expr.func
            args = [a.value for a in expr.args if a.keyword is None and not a.star]
            if isinstance(func, cst.Name):
                if func.value == "range":
                    return [INT]
                if func.value in _CONTAINER_WRAPPERS and len(args) == 1:
                    return self._literal_elements(args[0], scope)
                if func.value == "enumerate" and args:
                    inner = self._literal_elements(args[0], scope)
                    return None if inner is None else [(INT, e) for e in inner]
                if func.value == "zip" and args:
                    lists = [self._literal_elements(a, scope) for a in args]
                    if any(items is None for items in lists):
                        return None
                    return [tuple(row) for row in zip(*lists)]  # type: ignore[misc]
                return None
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method in ("keys", "values", "items") and not expr.args:
                    pairs = self._literal_pairs(func.value, scope)
                    if pairs is None:
                        return None
                    if method == "keys":
                        return [k for k, _ in pairs]
                    if method == "values":
                        return [v for _, v in pairs]
                    return [(k, v) for k, v in pairs]
                if method == "split":
                    receiver = self.origin(func.value, scope)
                    if receiver is not None and not receiver.dynamic and all(
                        self.static_text(a, scope) is not None for a in args
                    ):
                        separator = self.static_text(args[0], scope) if args else None
                        return list(receiver.text.split(separator))
        return None

    def _literal_pairs(self, expr: cst.CSTNode, scope: Scope) -> Optional[List[Tuple[Elem, Elem]]]:
        """The (key, value) pairs of a literal dict (or of a name bound only to literal dicts)."""
        if isinstance(expr, cst.Dict):
            pairs: List[Tuple[Elem, Elem]] = []
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    pairs.append((self._element(element.key, scope), self._element(element.value, scope)))
                else:
                    inner = self._literal_pairs(element.value, scope)
                    if inner is None:
                        return None
                    pairs.extend(inner)
            return pairs
        if isinstance(expr, cst.Name):
            return self._over_bindings(expr.value, scope, self._literal_pairs)
        return None

    def _over_bindings(self, name: str, scope: Scope, read: Callable) -> Optional[list]:
        found = self._bindings(name, scope)
        if found is None:
            return None
        out: list = []
        home, bindings = found
        if self._mutated(name, home):
            return None
        if read == self._literal_elements and any(b.how == "unknown" for b in bindings):
            # `for row in ROWS: for cell in row:` - a loop variable holding literal tuples
            loops = self._loop_elements(name, home, bindings)
            if not loops or not all(isinstance(e, tuple) for e in loops):
                return None
            for element in loops:
                out.extend(element)  # type: ignore[arg-type]
            bindings = [b for b in bindings if b.how != "unknown"]
        for binding in bindings:
            node = binding.node
            if binding.how == "annotated" and isinstance(node, cst.AnnAssign):
                node = node.value
            elif binding.how != "value":
                return None
            key = ("over", id(node))
            if node is None or key in self._elements_busy:
                return None
            self._elements_busy.add(key)
            try:
                items = read(node, binding.scope)
            finally:
                self._elements_busy.discard(key)
            if items is None:
                return None
            out.extend(items)
        return out

    def _mutated(self, name: str, home: Scope) -> bool:
        """`ITEMS.append(x)`, `ITEMS[k] = x`, `ITEMS.update(...)`: a container changed after it was written."""
        for use in self.model.name_uses(name, home):
            parent = self.model.parent(use)
            if isinstance(parent, cst.Attribute) and parent.attr.value in _MUTATORS:
                return True
            if isinstance(parent, cst.Subscript) and isinstance(self.model.parent(parent), cst.AssignTarget):
                return True
        return False

    def _indexed_values(self, expr: cst.Subscript, scope: Scope) -> Optional[List[Elem]]:
        """`CONTAINER[key]`: every value the literal container could give, or None."""
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return None
        pairs = self._literal_pairs(expr.value, scope)
        if pairs is not None:
            return [v for _, v in pairs]
        if isinstance(expr.value, (cst.List, cst.Tuple, cst.Name)):
            return self._literal_elements(expr.value, scope)
        return None

    def _get_values(self, call: cst.Call, scope: Scope) -> Optional[List[Elem]]:
        """`CONTAINER.get(key[, default])` on a literal dict."""
        func = call.func
        pairs = self._literal_pairs(func.value, scope) if isinstance(func, cst.Attribute) else None
        if pairs is None or len(call.args) > 2:
            return None
        values: List[Elem] = [v for _, v in pairs]
        if len(call.args) == 2:
            values.append(self._element(call.args[1].value, scope))
        return values

    # ------------------------------------------------------------ loops and allow-lists
    def _loop_elements(self, name: str, home: Scope, bindings: List[Binding]) -> Optional[List[Elem]]:
        """For a name bound by `for` loops: what those loops can give it.

        None when no binding is a loop's; an empty list (or a None element) when
        some binding of that kind is not a loop over a literal container.
        """
        unknown = sum(1 for b in bindings if b.how == "unknown")
        if not unknown:
            return None
        loops = self._loops().get((id(home), name), [])
        if len(loops) != unknown:
            return []  # unpacking, `with ... as`, `except ... as`: not literal-only
        out: List[Elem] = []
        for loop in loops:
            elements = self._literal_elements(loop.iter, self.model.scope_of.get(loop, home))  # type: ignore[attr-defined]
            if elements is None:
                return []
            for element in elements:
                value = _unpack(element, loop.target, name)  # type: ignore[attr-defined]
                if value is None:
                    return []
                out.append(value)
        return out

    def _loops(self) -> Dict[Tuple[int, str], List[cst.CSTNode]]:
        if self._loop_index is None:
            index: Dict[Tuple[int, str], List[cst.CSTNode]] = {}
            for loop in self.model.fors:
                scope = self.model.scope_of.get(loop)
                for name in _target_names(loop.target):
                    index.setdefault((id(scope), name), []).append(loop)
            self._loop_index = index
        return self._loop_index

    def _allow_listed(self, expr: cst.IfExp, scope: Scope) -> bool:
        """`x if x in ALLOWED else "id"`: only literal-only values get through."""
        test = expr.test
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
            return False
        target = test.comparisons[0]
        if not (isinstance(target.operator, cst.In) and self._is_literal_set(target.comparator, scope)):
            return False
        return (
            _same_code(self.model, test.left, expr.body)
            and self.static_text(expr.orelse, scope) is not None
        )

    def _guarded(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """A name (or attribute) checked before this use: inside `if x in ALLOWED:`,
        or after `if x not in ALLOWED: raise` (or return/continue), `assert x in
        ALLOWED`, `validate_name(x)` or `if not x.isidentifier(): raise` in the
        same function."""
        code = self.model.module.code_for_node(expr)
        top: Optional[cst.CSTNode] = None
        child: cst.CSTNode = expr
        for ancestor in self.model.ancestors(expr):
            if isinstance(ancestor, cst.If) and child is ancestor.body:
                container = self._membership(ancestor.test, code, cst.In)
                if container is not None and self._allow_list(container, scope):
                    return True
            if isinstance(ancestor, (cst.FunctionDef, cst.Module, cst.Lambda)):
                top = ancestor
                break
            child = ancestor
        if top is None:
            return False
        for statement in _statements_before(self.model, expr, top):
            if isinstance(statement, cst.If) and _ends_flow(statement.body):
                container = self._membership(statement.test, code, cst.NotIn)
                if container is not None and self._allow_list(container, scope):
                    return True
                test = statement.test
                if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and self._validates(
                    test.expression, code
                ):
                    return True
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assert):
                        container = self._membership(small.test, code, cst.In)
                        if (container is not None and self._allow_list(container, scope)) or self._validates(
                            small.test, code
                        ):
                            return True
                    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                        if _VALIDATOR.match(_callee_name(small.value.func)) and any(
                            self.model.module.code_for_node(arg.value) == code for arg in small.value.args
                        ):
                            return True
                    elif isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
                        # `x = sanitize_name(x)`: from here on x is the sanitised value
                        if _QUOTING_CALL.match(_callee_name(small.value.func)) and any(
                            self.model.module.code_for_node(t.target) == code for t in small.targets
                        ):
                            return True
        return False

    def _validates(self, test: cst.BaseExpression, code: str) -> bool:
        """`validate(x)`, `x.isidentifier()`, `re.fullmatch(PATTERN, x)`."""
        if not isinstance(test, cst.Call):
            return False
        name = _callee_name(test.func)
        source = self.model.module.code_for_node
        if name in _STR_CHECKS and isinstance(test.func, cst.Attribute):
            return source(test.func.value) == code
        if _VALIDATOR.match(name) or name in ("match", "fullmatch"):
            return any(source(arg.value) == code for arg in test.args)
        return False

    def _membership(self, test: cst.BaseExpression, code: str, operator: type) -> Optional[cst.BaseExpression]:
        """The container in `x in CONTAINER` (or `not in`) for the expression written ``code``."""
        if (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, operator)
            and self.model.module.code_for_node(test.left) == code
        ):
            return test.comparisons[0].comparator
        if isinstance(test, cst.BooleanOperation):
            wanted = cst.And if operator is cst.In else cst.Or
            if isinstance(test.operator, wanted):
                return self._membership(test.left, code, operator) or self._membership(test.right, code, operator)
        return None

    def _allow_list(self, container: cst.CSTNode, scope: Scope) -> bool:
        """A literal container, or one named like an allow-list."""
        if self._is_literal_set(container, scope):
            return True
        if isinstance(container, cst.Call) and isinstance(container.func, cst.Attribute) and not container.args:
            if container.func.attr.value in ("keys", "values"):
                container = container.func.value
        name = _callee_name(container) if isinstance(container, (cst.Name, cst.Attribute)) else ""
        return bool(name) and bool(_ALLOW_LIST_NAME.search(name))

    def _import_qualname(self, expr: cst.CSTNode, scope: Scope) -> str:
        """`uuid.uuid4` for `uuid.uuid4` or `uuid4` imported from uuid; "" when not an import."""
        if isinstance(expr, cst.Attribute):
            base = self._import_qualname(expr.value, scope)
            return f"{base}.{expr.attr.value}" if base else ""
        if isinstance(expr, cst.Name):
            found = self._bindings(expr.value, scope)
            if found is None:
                return expr.value if expr.value == "id" else ""
            bindings = found[1]
            if len(bindings) == 1 and bindings[0].how in ("extern", "project_or_extern"):
                data = bindings[0].data
                if isinstance(data, tuple):
                    return ".".join(part for part in data if part)
                return str(data)
        return ""

    def _escaped_for(self, expr: cst.CSTNode, scope: Scope) -> str:
        """The quote ``expr`` was escaped for: `x.replace("'", "''")` gives "'"."""
        if isinstance(expr, cst.Name):
            found = self._bindings(expr.value, scope)
            if found is None or len(found[1]) != 1 or found[1][0].how != "value":
                return ""
            expr = found[1][0].node  # type: ignore[assignment]
        while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            if expr.func.attr.value == "replace" and len(expr.args) == 2:
                old, new = (a.value for a in expr.args)
                if isinstance(old, cst.SimpleString) and isinstance(new, cst.SimpleString):
                    quote, doubled = old.evaluated_value, new.evaluated_value
                    if quote in ("'", '"', "`", "]") and doubled == quote * 2:
                        return "[" if quote == "]" else quote  # type: ignore[return-value]
            expr = expr.func.value
        return ""

    def _is_literal_set(self, expr: cst.CSTNode, scope: Scope) -> bool:
        elements = self._literal_elements(expr, scope)
        return bool(elements) and all(isinstance(e, (str, _Int)) for e in elements)  # type: ignore[union-attr]
