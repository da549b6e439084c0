"""The per-file semantic model.

One LibCST pass (:class:`_Builder`) records scopes, bindings, functions, classes,
parents, and the nodes rules care about. Everything else is answered lazily and
memoised by :class:`SemanticModel`: what a name or expression holds
(:meth:`SemanticModel.value_of`) and how a value is used (:meth:`usage_of`).
Rules never re-derive these facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.walk import walk
from asyncdb_lint.model.values import (
    Extern,
    FuncSummary,
    Obj,
    Pending,
    ProjectModule,
    TypeAlias,
    Value,
    awaited,
    entered,
)

_FUNCTION_TYPES = (cst.FunctionDef, cst.Lambda)
_COMPREHENSION_TYPES = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)

# Generic wrappers whose first argument is the type we care about.
_UNWRAP_FIRST = {
    "typing.Optional", "typing.Annotated", "typing_extensions.Annotated",
    "typing.AsyncIterator", "typing.AsyncGenerator", "typing.Iterator", "typing.Generator",
    "typing.AsyncIterable", "typing.Iterable", "typing.Awaitable", "typing.Type",
    "collections.abc.AsyncIterator", "collections.abc.AsyncGenerator",
    "collections.abc.Iterator", "collections.abc.Generator",
    "collections.abc.AsyncIterable", "collections.abc.Iterable", "collections.abc.Awaitable",
    "contextlib.AbstractAsyncContextManager",
}


@dataclass(eq=False)
class Binding:
    """One place where a name (or attribute) gets a value.

    ``how`` says how to evaluate it: ``value`` (an expression), ``annotated``
    (an AnnAssign), ``param``, ``enter`` (``async with ... as name``),
    ``function``, ``class``, ``extern`` (an import of a library),
    ``project`` (an import that may name a project module), ``none`` (the
    literal ``None``, which never decides a kind) or ``unknown``.
    """

    how: str
    node: Optional[cst.CSTNode]
    scope: "Scope"
    data: object = None


class Scope:
    """A module, class, function, lambda or comprehension scope."""

    def __init__(self, kind: str, node: cst.CSTNode, parent: Optional["Scope"]):
        self.kind = kind
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = defaultdict(list)
        self.loads: Dict[str, List[cst.Name]] = defaultdict(list)
        self.globals: Set[str] = set()
        self.function: Optional[FunctionInfo] = None
        self.cls: Optional[ClassInfo] = None

    @property
    def function_scope(self) -> Optional["Scope"]:
        """The nearest enclosing ``def``/``lambda`` scope, or None at module level."""
        scope: Optional[Scope] = self
        while scope is not None and scope.kind not in ("function", "lambda"):
            scope = scope.parent
        return scope

    @property
    def is_async(self) -> bool:
        """True when code here runs inside an ``async def`` body."""
        scope = self.function_scope
        return scope is not None and scope.function is not None and scope.function.is_async


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    scope: Scope
    is_async: bool
    returns: List[cst.BaseExpression] = field(default_factory=list)
    yields: List[Optional[cst.BaseExpression]] = field(default_factory=list)
    owner: Optional["ClassInfo"] = None  # set for methods

    @property
    def name(self) -> str:
        return self.node.name.value

    @property
    def is_generator(self) -> bool:
        return bool(self.yields)

    def decorator_names(self) -> Iterator[str]:
        for decorator in self.node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                expr = expr.func
            name = _dotted(expr)
            if name:
                yield name


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    scope: Scope  # the class body
    instance_attrs: Dict[str, List[Binding]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class ClassValue:
    info: ClassInfo


@dataclass(frozen=True)
class Instance:
    info: ClassInfo


@dataclass(frozen=True)
class FunctionValue:
    info: FunctionInfo


@dataclass(frozen=True)
class Usage:
    """How the value of an expression is used by the code around it.

    ``how`` is one of: ``awaited``, ``async_with``, ``async_for``, ``with``,
    ``discarded``, ``stored`` (``name`` says where), ``stored_elsewhere``
    (an attribute, subscript or global), ``returned``, ``scheduled`` (handed
    to a coroutine runner), ``collected`` (put into a container),
    ``handed_over`` (an argument of a call that is itself awaited or
    scheduled), ``passed`` (an argument of another call), ``consumed`` (an
    argument of a builtin that uses it synchronously), ``iterated``,
    ``subscripted``, ``attribute``, ``truth``, ``operand``, ``decorator``,
    ``unknown``.
    """

    how: str
    node: cst.CSTNode  # the node whose value is used (after walking wrappers)
    context: Optional[cst.CSTNode] = None  # the node that uses it
    name: Optional[str] = None


DATA_USES = frozenset({"consumed", "iterated", "subscripted", "attribute", "truth", "operand"})


class ProjectIndexProtocol:
    """What the model needs from the project index (see model/project.py)."""

    def resolve_from(self, importer: Optional[str], level: int, module: str, name: str) -> Optional[Value]:
        return None

    def resolve_absolute(self, qualname: str) -> Optional[Value]:
        return None

    def export(self, path: str, name: str) -> Optional[Value]:
        return None

    def state_attribute(self, name: str, importer: Optional[str] = None) -> Optional[Value]:
        return None


NO_INDEX = ProjectIndexProtocol()


IMPORT_BINDINGS = frozenset({"extern", "project", "project_or_extern"})


def imported_value(index: ProjectIndexProtocol, path: Optional[str], how: str, data) -> Optional[Value]:
    """What a name bound by an import holds (``how``/``data`` as the builder recorded them)."""
    if how == "extern":
        return Extern(data)
    if how == "project":
        level, module, name = data
        return index.resolve_from(path, level, module, name)
    module, name = data  # project_or_extern: a project module if the index finds one
    found = index.resolve_from(path, 0, module, name)
    return found if found is not None else Extern(f"{module}.{name}")


def _dotted(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = _dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


class SemanticModel:
    """Facts about one parsed module, computed once and shared by every rule."""

    def __init__(self, module: cst.Module, path: Optional[str] = None, index: ProjectIndexProtocol = NO_INDEX):
        self.module = module
        self.path = path
        self.index = index
        self.parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.scope_of: Dict[cst.CSTNode, Scope] = {}
        self.calls: List[cst.Call] = []
        self.withs: List[cst.With] = []
        self.subscripts: List[cst.Subscript] = []
        self.attributes: List[cst.Attribute] = []
        self.fors: List[Union[cst.For, cst.CompFor]] = []
        self.functions: Dict[cst.FunctionDef, FunctionInfo] = {}
        self.state_bindings: Dict[str, List[Binding]] = defaultdict(list)
        self.imported_modules: Set[str] = set()
        self._memo: Dict[Tuple[str, int], Optional[Value]] = {}
        self._in_progress: Set[Tuple[str, int]] = set()
        builder = _Builder(self)
        walk(module, builder.on_visit, builder.on_leave)
        self.module_scope = builder.module_scope
        self.scopes: List[Scope] = builder.scopes

    # ------------------------------------------------------------------ structure
    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The simple or compound statement a node belongs to (for ``noqa``)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return ancestor
        return node

    # ------------------------------------------------------------------ values
    def value_of(self, expr: cst.CSTNode, scope: Optional[Scope] = None) -> Optional[Value]:
        """What the expression holds, or None when we cannot be sure."""
        if scope is None:
            scope = self.scope_of.get(expr) or self._scope_by_ancestry(expr)
        return self._memoised("value", expr, lambda: self._evaluate(expr, scope))

    def api_label(self, call: cst.Call) -> str:
        """How messages name a DB call: ``Database.transaction()``, ``asyncpg.connect()``."""
        func = call.func
        if isinstance(func, cst.Attribute):
            receiver = self.value_of(func.value)
            if isinstance(receiver, Obj):
                return f"{receiver.type.label}.{func.attr.value}()"
        qualname = self.qualname_of(func)
        if qualname:
            return ".".join(qualname.split(".")[-2:]) + "()"
        return self.module.code_for_node(func) + "()"

    def blocking_call(self, call: cst.Call) -> Optional[lib.DbType]:
        """The sync driver type a call blocks on, if it is a blocking call.

        A connect function or constructor of a sync driver, any method of a sync
        driver object not known to be I/O-free, or calling a sync session factory.
        """
        func = call.func
        scope = self.scope_of.get(call) or self._scope_by_ancestry(call)
        if isinstance(func, cst.Attribute):
            receiver = self.value_of(func.value, scope)
            if isinstance(receiver, Obj) and receiver.type.blocking:
                spec = receiver.type.methods.get(func.attr.value)
                if spec is not None and lib.parse_spec(spec).mode == "sync":
                    return None
                result = self.value_of(call, scope)
                if spec is None or isinstance(result, Obj) or lib.parse_spec(spec).mode == "block":
                    return receiver.type
                return None
        callee = self.value_of(func, scope)
        if isinstance(callee, Extern):
            spec = lib.FUNCTIONS.get(callee.qualname)
            if spec is not None and lib.parse_spec(spec).mode == "block":
                result = self.value_of(call, scope)
                return result.type if isinstance(result, Obj) else None
            kind = lib.CLASSES.get(callee.qualname)
            if kind is not None and lib.TYPES[kind].blocking:
                return lib.TYPES[kind]
        if isinstance(callee, Obj) and callee.type.blocking and callee.type.called:
            return callee.type
        return None

    def function_blocking_call(self, info: FunctionInfo, depth: int = 0) -> Optional[Tuple[cst.Call, lib.DbType]]:
        """The first blocking call a plain ``def`` of this file makes, directly or
        through another plain function of this file it calls (for ADB3xx)."""
        key = ("blocks", id(info))
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        if key in self._in_progress or depth > 8 or info.is_async:
            return None
        self._in_progress.add(key)
        found = None
        try:
            for call in self.calls_in(info.scope):
                driver = self.blocking_call(call)
                if driver is not None:
                    found = (call, driver)
                    break
                callee = self.value_of(call.func, self.scope_of[call])
                if isinstance(callee, FunctionValue) and not callee.info.is_async:
                    inner = self.function_blocking_call(callee.info, depth + 1)
                    if inner is not None:
                        found = (call, inner[1])
                        break
        finally:
            self._in_progress.discard(key)
        self._memo[key] = found  # type: ignore[assignment]
        return found

    def calls_in(self, function_scope: Scope) -> List[cst.Call]:
        """Calls whose nearest enclosing function is ``function_scope``, in order."""
        by_function = self.__dict__.get("_calls_by_function")
        if by_function is None:
            by_function = defaultdict(list)
            for call in self.calls:
                by_function[self.scope_of[call].function_scope].append(call)
            self.__dict__["_calls_by_function"] = by_function
        return by_function.get(function_scope, [])

    def qualname_of(self, expr: cst.CSTNode, scope: Optional[Scope] = None) -> Optional[str]:
        value = self.value_of(expr, scope)
        return value.qualname if isinstance(value, Extern) else None

    def _scope_by_ancestry(self, node: cst.CSTNode) -> Scope:
        for ancestor in self.ancestors(node):
            scope = self.scope_of.get(ancestor)
            if scope is not None:
                return scope
        return self.module_scope

    def _memoised(self, what: str, node: cst.CSTNode, compute) -> Optional[Value]:
        key = (what, id(node))
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:  # a cycle (x = x.y): unknown
            return None
        self._in_progress.add(key)
        try:
            result = compute()
        finally:
            self._in_progress.discard(key)
        self._memo[key] = result
        return result

    def _evaluate(self, expr: cst.CSTNode, scope: Scope) -> Optional[Value]:
        if isinstance(expr, cst.Name):
            return self.lookup(expr.value, scope)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        if isinstance(expr, cst.Await):
            return awaited(self.value_of(expr.expression, scope))
        if isinstance(expr, cst.NamedExpr):
            return self.value_of(expr.value, scope)
        if isinstance(expr, cst.Subscript):
            base = self.value_of(expr.value, scope)
            if isinstance(base, Obj) and base.type.item_kind:
                return Obj(base.type.item_kind)
        return None

    def lookup(self, name: str, scope: Scope) -> Optional[Value]:
        """Resolve a name read in ``scope`` by Python's scoping rules."""
        current: Optional[Scope] = scope
        if name in scope.globals:
            current = self.module_scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return self._combine(current.bindings[name])
            first = False
            current = current.parent
        return None

    def exports_without_model(self) -> Dict[str, Tuple[str, object]]:
        """Module-level names bound by one import or one class only: name -> (how, data).

        What such a name holds, as other modules see it, needs only the import
        (a class is not portable at all), not this model - the project index
        keeps these after it lets the model go.
        """
        table: Dict[str, Tuple[str, object]] = {}
        for name, bindings in self.module_scope.bindings.items():
            real = [binding for binding in bindings if binding.how != "none"]
            if len(real) == 1 and real[0].how in IMPORT_BINDINGS:
                table[name] = (real[0].how, real[0].data)
            elif len(real) == 1 and real[0].how == "class":
                table[name] = ("class", None)
        return table

    def binds(self, name: str, scope: Scope) -> bool:
        """Whether ``name`` is bound in the file (so it is not the builtin)."""
        current: Optional[Scope] = scope
        while current is not None:
            if name in current.bindings:
                return True
            current = current.parent
        return False

    def _combine(self, bindings: Sequence[Binding]) -> Optional[Value]:
        """One value if every (non-None) binding agrees, else unknown."""
        result: Optional[Value] = None
        for binding in bindings:
            if binding.how == "none":
                continue
            value = self._binding_value(binding)
            if value is None:
                return None
            if result is None:
                result = value
            elif value != result:
                return None
        return result

    def _binding_value(self, binding: Binding) -> Optional[Value]:
        return self._memoised("binding", binding, lambda: self._evaluate_binding(binding))  # type: ignore[arg-type]

    def _evaluate_binding(self, binding: Binding) -> Optional[Value]:
        how, node, scope = binding.how, binding.node, binding.scope
        if how == "value":
            return self.value_of(node, scope)
        if how == "annotated":
            assert isinstance(node, cst.AnnAssign)
            kind = self.annotation_kind(node.annotation.annotation, scope)
            if kind:
                return Obj(kind)
            return self.value_of(node.value, scope) if node.value is not None else None
        if how == "param":
            return self._param_value(node, binding.data, scope)  # type: ignore[arg-type]
        if how == "enter":
            value = self.value_of(node, scope)
            if binding.data == "sync" and isinstance(value, Obj) and value.type.with_to:
                return Obj(value.type.with_to)
            return entered(value)
        if how == "function":
            return FunctionValue(binding.data)  # type: ignore[arg-type]
        if how == "class":
            return ClassValue(binding.data)  # type: ignore[arg-type]
        if how in IMPORT_BINDINGS:
            return imported_value(self.index, self.path, how, binding.data)
        if how == "instance":
            return Instance(binding.data)  # type: ignore[arg-type]
        if how == "classref":
            return ClassValue(binding.data)  # type: ignore[arg-type]
        return None

    def _param_value(self, param: cst.Param, function: Optional[FunctionInfo], scope: Scope) -> Optional[Value]:
        outer = scope.parent or scope
        if param.annotation is not None:
            kind = self.annotation_kind(param.annotation.annotation, outer)
            if kind:
                return Obj(kind)
            dependency = self._annotated_dependency(param.annotation.annotation, outer)
            if dependency:
                return Obj(dependency)
        if param.default is not None:
            dependency = self.dependency_kind(param.default, outer)
            if dependency:
                return Obj(dependency)
        return None

    def dependency_kind(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The kind FastAPI injects for ``Depends(fn)``/``Security(fn)``."""
        if not isinstance(expr, cst.Call) or not expr.args:
            return None
        if self.qualname_of(expr.func, scope) not in lib.DEPENDENCY_MARKERS:
            return None
        provider = self.value_of(expr.args[0].value, scope)
        return self.dependency_of(provider)

    def dependency_of(self, provider: Optional[Value]) -> Optional[str]:
        if isinstance(provider, FunctionValue):
            return self.function_summary(provider.info).dependency
        if isinstance(provider, FuncSummary):
            return provider.dependency
        if isinstance(provider, Obj) and provider.type.called:  # Depends(async_session_maker)
            called = lib.parse_spec(provider.type.called)
            return called.kind if called.mode == "value" else None
        if isinstance(provider, Extern) and provider.qualname in lib.CLASSES:
            return lib.CLASSES[provider.qualname]
        return None

    def _annotated_dependency(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """``Annotated[Unknown, Depends(fn)]``: fall back to what ``fn`` provides."""
        if isinstance(annotation, cst.Subscript) and self.qualname_of(annotation.value, scope) in (
            "typing.Annotated", "typing_extensions.Annotated"
        ):
            for element in annotation.slice[1:]:
                if isinstance(element.slice, cst.Index):
                    kind = self.dependency_kind(element.slice.value, scope)
                    if kind:
                        return kind
        return None

    def annotation_kind(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The DB kind a type annotation declares, unwrapping Optional/Annotated/X | None."""
        return self._memoised("annotation", annotation, lambda: self._annotation(annotation, scope))  # type: ignore[return-value]

    def _annotation(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        if isinstance(annotation, cst.SimpleString):
            try:
                inner = cst.parse_expression(annotation.evaluated_value)  # type: ignore[arg-type]
            except Exception:
                return None
            self.parents[inner] = annotation
            return self.annotation_kind(inner, scope)
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            return self._agree(annotation.left, annotation.right, scope=scope)
        if isinstance(annotation, cst.Subscript):
            qualname = self.qualname_of(annotation.value, scope)
            elements = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
            if not elements:
                return None
            if qualname == "typing.Union":
                return self._agree(*elements, scope=scope)
            if qualname in _UNWRAP_FIRST or qualname is None:
                if qualname is None:  # an unknown generic: `async_sessionmaker[AsyncSession]` etc.
                    return self.annotation_kind(annotation.value, scope)
                return self.annotation_kind(elements[0], scope)
            if qualname in lib.CLASSES:
                return lib.CLASSES[qualname]
            return None
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            value = self.value_of(annotation, scope)
            if isinstance(value, Extern):
                return lib.CLASSES.get(value.qualname)
            if isinstance(value, TypeAlias):
                return value.kind
            if isinstance(annotation, cst.Name):
                return self._alias_kind(annotation.value, scope)
        return None

    def _alias_kind(self, name: str, scope: Scope) -> Optional[str]:
        """A module-level type alias: ``SessionDep = Annotated[AsyncSession, Depends(...)]``."""
        bindings = self.module_scope.bindings.get(name, [])
        if len(bindings) == 1 and bindings[0].how == "value":
            node = bindings[0].node
            if isinstance(node, (cst.Subscript, cst.BinaryOperation, cst.SimpleString)):
                kind = self.annotation_kind(node, self.module_scope)  # type: ignore[arg-type]
                return kind or self._annotated_dependency(node, self.module_scope)  # type: ignore[arg-type]
        return None

    def _agree(self, *annotations: cst.BaseExpression, scope: Scope) -> Optional[str]:
        kinds = set()
        for annotation in annotations:
            if isinstance(annotation, cst.Name) and annotation.value == "None":
                continue
            kinds.add(self.annotation_kind(annotation, scope))
        return kinds.pop() if len(kinds) == 1 else None

    def _attribute(self, expr: cst.Attribute, scope: Scope) -> Optional[Value]:
        attr = expr.attr.value
        # app.state.x / request.app.state.x / request.state.x
        if isinstance(expr.value, cst.Attribute) and expr.value.attr.value == "state":
            local = self._combine(self.state_bindings[attr]) if attr in self.state_bindings else None
            return local or self.index.state_attribute(attr, self.path)
        base = self.value_of(expr.value, scope)
        if isinstance(base, Extern):
            qualname = f"{base.qualname}.{attr}"
            if base.qualname.split(".")[0] not in lib.LIBRARY_MODULES:
                project = self.index.resolve_absolute(qualname)
                if project is not None:
                    return project
            return Extern(qualname)
        if isinstance(base, ProjectModule):
            return self.index.export(base.path, attr)
        if isinstance(base, (Instance, ClassValue)):
            return self._class_attribute(base.info, attr, instance=isinstance(base, Instance))
        if isinstance(base, Obj) and base.type.attribute_kind and attr not in base.type.methods and not attr.startswith("_"):
            return Obj(base.type.attribute_kind)  # pymongo: client.db.collection
        return None

    def _class_attribute(self, info: ClassInfo, attr: str, instance: bool, depth: int = 0) -> Optional[Value]:
        bindings = list(info.scope.bindings.get(attr, []))
        if instance:
            bindings += info.instance_attrs.get(attr, [])
        if bindings:
            return self._combine(bindings)  # a method comes back as its function: calling it calls that
        if depth < 5:
            for base in info.node.bases:
                base_value = self.value_of(base.value, info.scope.parent)
                if isinstance(base_value, ClassValue):
                    return self._class_attribute(base_value.info, attr, instance, depth + 1)
        return None

    def _call(self, call: cst.Call, scope: Scope) -> Optional[Value]:
        func = call.func
        if isinstance(func, cst.Attribute):
            receiver = self.value_of(func.value, scope)
            if isinstance(receiver, Obj):
                method = func.attr.value
                spec = receiver.type.methods.get(method)
                if spec is None and not method.startswith("_"):
                    spec = receiver.type.default_method
                if spec is None:
                    return None
                return _call_result(spec, f"{receiver.type.label}.{method}()")
        callee = self.value_of(func, scope)
        if isinstance(callee, Extern):
            return self._extern_call(callee.qualname, call, scope)
        if isinstance(callee, Obj) and callee.type.called:
            return _call_result(callee.type.called, f"{callee.type.label}()")
        if isinstance(callee, FunctionValue):
            return self.function_summary(callee.info).returns
        if isinstance(callee, FuncSummary):
            return callee.returns
        if isinstance(callee, ClassValue):
            return Instance(callee.info)
        return None

    def _extern_call(self, qualname: str, call: cst.Call, scope: Scope) -> Optional[Value]:
        if qualname in lib.CLASSES:
            return Obj(lib.CLASSES[qualname])
        if qualname in lib.FUNCTIONS:
            return _call_result(lib.FUNCTIONS[qualname], f"{qualname.split('.')[0]}.{qualname.rsplit('.', 1)[-1]}()")
        if qualname in lib.SYNC_SESSIONMAKERS:
            # sessionmaker(bind=None, class_=Session, ...): class_ by keyword or second
            for position, arg in enumerate(call.args):
                keyword = arg.keyword.value if arg.keyword is not None else None
                if keyword == "class_" or (keyword is None and position == 1):
                    kind = lib.CLASSES.get(self.qualname_of(arg.value, scope) or "")
                    if kind in ("sqlalchemy.AsyncSession", "sqlmodel.AsyncSession"):
                        return Obj("sqlalchemy.async_sessionmaker")
                    if kind is not None or (keyword is None and position == 1):
                        return None  # some other session class
            return Obj("sqlalchemy.sessionmaker")
        if qualname in ("typing.cast", "typing_extensions.cast") and call.args:
            kind = self.annotation_kind(call.args[0].value, scope)
            return Obj(kind) if kind else None
        return None

    def function_summary(self, info: FunctionInfo) -> FuncSummary:
        """What calling a project function gives, and what it provides to ``Depends``."""
        key = ("summary", id(info))
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        if key in self._in_progress:
            return FuncSummary(None, None)
        self._in_progress.add(key)
        try:
            summary = self._summarise_function(info)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = summary
        return summary

    def _summarise_function(self, info: FunctionInfo) -> FuncSummary:
        outer = info.scope.parent or self.module_scope
        declared = None
        if info.node.returns is not None:
            declared = self.annotation_kind(info.node.returns.annotation, outer)
        if info.is_generator:
            produced = declared or _kind_of(self._agree_values(info.yields, info.scope))
            return FuncSummary(None, produced)
        returned = Obj(declared) if declared else self._agree_values(info.returns, info.scope)
        kind = _kind_of(returned)
        if info.is_async:
            return FuncSummary(Pending("await", kind, f"{info.name}()", user=True), kind)
        if isinstance(returned, Pending):  # a plain def handing back a coroutine for its caller
            return FuncSummary(Pending(returned.mode, returned.kind, f"{info.name}()", user=True), None)
        return FuncSummary(returned, kind)

    def _agree_values(self, exprs: Sequence[Optional[cst.BaseExpression]], scope: Scope) -> Optional[Value]:
        result: Optional[Value] = None
        for expr in exprs:
            if expr is None or (isinstance(expr, cst.Name) and expr.value == "None"):
                continue
            value = self.value_of(expr, scope)
            if value is None or (result is not None and value != result):
                return None
            result = value
        return result

    # ------------------------------------------------------------------ usage
    def usage_of(self, node: cst.CSTNode) -> Usage:
        """How the value of ``node`` is used by its surroundings."""
        parent = self.parents.get(node)
        if parent is None:
            return Usage("unknown", node)
        if isinstance(parent, cst.Await):
            return Usage("awaited", node, parent)
        if isinstance(parent, cst.Expr):
            return Usage("discarded", node, parent)
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            return self._assignment_usage(node, parent)
        if isinstance(parent, cst.AssignTarget):
            return Usage("unknown", node, parent)
        if isinstance(parent, cst.NamedExpr) and parent.value is node:
            return Usage("stored_elsewhere", node, parent)
        if isinstance(parent, cst.AugAssign):
            return Usage("operand", node, parent)
        if isinstance(parent, (cst.Return, cst.Yield, cst.Lambda)):
            return Usage("returned", node, parent)
        if isinstance(parent, cst.Arg):
            return self._argument_usage(node, parent)
        if isinstance(parent, (cst.Element, cst.DictElement, cst.StarredDictElement)):
            return self._element_usage(node, parent)
        if isinstance(parent, cst.DictComp) or (
            isinstance(parent, _COMPREHENSION_TYPES) and getattr(parent, "elt", None) is node
        ):
            return Usage("collected", node, parent)
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return Usage("subscripted", node, parent)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            attr = parent.attr.value
            if attr.startswith("__") and attr.endswith("__"):
                return Usage("protocol", node, parent)  # `x.__aenter__()`: driving it by hand
            return Usage("attribute", node, parent)
        if isinstance(parent, cst.For) and parent.iter is node:
            return Usage("async_for" if parent.asynchronous else "iterated", node, parent)
        if isinstance(parent, cst.CompFor) and parent.iter is node:
            return Usage("async_for" if parent.asynchronous else "iterated", node, parent)
        if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.CompIf, cst.Assert)) and getattr(parent, "test", None) is node:
            return Usage("truth", node, parent)
        if isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)):
            return Usage("truth", node, parent)
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget, cst.BinaryOperation, cst.FormattedStringExpression)):
            return Usage("operand", node, parent)
        if isinstance(parent, cst.WithItem):
            grand = self.parents.get(parent)
            asynchronous = isinstance(grand, cst.With) and grand.asynchronous is not None
            return Usage("async_with" if asynchronous else "with", node, grand)
        if isinstance(parent, cst.Decorator):
            return Usage("decorator", node, parent)
        if isinstance(parent, cst.IfExp):  # a branch of `a if c else b`: its use is the IfExp's
            return self.usage_of(parent)
        return Usage("unknown", node, parent)

    def _element_usage(self, node: cst.CSTNode, element: cst.CSTNode) -> Usage:
        """A value put in a list/tuple/dict literal is judged by what happens to the literal.

        Collected for ``gather(*coros)`` later: fine. The literal returned as a
        response or handed to a data sink: the value is used as data.
        """
        container = self.parents.get(element)
        if isinstance(element, cst.DictElement) and element.key is node:
            return Usage("operand", node, element)
        if not isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return Usage("collected", node, element)
        outer = self.fate_of(container)
        if outer.how in ("returned", "returned_as_data") and self.returns_as_data(outer):
            return Usage("returned_as_data", node, outer.context)
        if outer.how == "consumed" and isinstance(outer.context, cst.Call):
            scope = self.scope_of.get(outer.context) or self._scope_by_ancestry(outer.context)
            if self.qualname_of(outer.context.func, scope) in lib.DATA_SINKS:
                return Usage("consumed", node, outer.context)
        return Usage("collected", node, element)

    def _assignment_usage(self, node: cst.CSTNode, statement: Union[cst.Assign, cst.AnnAssign]) -> Usage:
        targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        if len(targets) != 1:
            return Usage("stored_elsewhere", node, statement)
        target = targets[0]
        if isinstance(target, cst.Name):
            if target.value == "_":
                return Usage("discarded", node, statement)
            scope = self.scope_of.get(node) or self._scope_by_ancestry(node)
            if target.value in scope.globals or scope.kind in ("module", "class"):
                return Usage("stored_elsewhere", node, statement, target.value)
            return Usage("stored", node, statement, target.value)
        if isinstance(target, (cst.Tuple, cst.List)):
            return Usage("iterated", node, statement)  # unpacking iterates
        return Usage("stored_elsewhere", node, statement)

    def _argument_usage(self, node: cst.CSTNode, arg: cst.Arg) -> Usage:
        call = self.parents.get(arg)
        if not isinstance(call, cst.Call):
            return Usage("unknown", node, arg)
        scope = self.scope_of.get(call) or self._scope_by_ancestry(call)
        qualname = self.qualname_of(call.func, scope)
        if qualname in lib.COROUTINE_RUNNERS:
            return Usage("scheduled", node, call)
        if qualname in lib.DATA_SINKS:
            return Usage("consumed", node, call)
        if isinstance(call.func, cst.Attribute) and isinstance(self.value_of(call.func.value, scope), Obj):
            return Usage("consumed", node, call)  # DB APIs never await their arguments
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in lib.COROUTINE_RUNNER_METHODS:
                return Usage("scheduled", node, call)
            if method in ("append", "appendleft", "extend", "add", "insert", "put", "put_nowait", "setdefault"):
                return Usage("collected", node, call)
        if isinstance(call.func, cst.Name) and call.func.value in lib.SYNC_CONSUMERS and qualname is None:
            if not self.binds(call.func.value, scope):  # the builtin, not a shadowing name
                how = "iterated" if call.func.value in lib.ITERATING_BUILTINS and arg.star != "**" else "consumed"
                return Usage(how, node, call)
        outer = self.usage_of(call)
        if outer.how in ("awaited", "scheduled", "async_with", "returned", "collected", "handed_over"):
            return Usage("handed_over", node, call)
        return Usage("passed", node, call)

    def fate_of(self, node: cst.CSTNode) -> Usage:
        """Like :meth:`usage_of`, but follows a value stored in a local name.

        ``x = db.fetch_all(q)`` is judged by what the function does with ``x``:
        handled if any use awaits, schedules, returns, collects or passes it on;
        used as data if a use indexes, iterates, tests or consumes it; discarded if
        nothing reads it.
        """
        usage = self.usage_of(node)
        if usage.how != "stored" or usage.name is None:
            return usage
        scope = self.scope_of.get(node) or self._scope_by_ancestry(node)
        home = _Builder._outside_comprehensions(scope)
        uses = [self.usage_of(name) for name in self.name_uses(usage.name, home)]
        if not uses:
            return Usage("discarded", node, usage.context, usage.name)
        data_use = None
        for use in uses:
            if use.how in DATA_USES or use.how == "passed":
                data_use = data_use or use
            elif use.how in ("returned", "returned_as_data") and self.returns_as_data(use):
                data_use = data_use or Usage("returned_as_data", use.node, use.context)
            elif use.how == "discarded":
                continue
            else:
                return Usage("handled", node, use.context, usage.name)
        if data_use is None:
            return Usage("discarded", node, usage.context, usage.name)
        return Usage(data_use.how, data_use.node, data_use.context, usage.name)

    def returns_as_data(self, usage: Usage) -> bool:
        """Whether a returned value reaches someone who will not await it.

        True in an ``async def`` (its caller awaits the function and gets the
        coroutine as its result) and in a request handler (the framework
        serialises what it returns); false in a plain helper or lambda, whose
        caller may await what it hands back.
        """
        if isinstance(usage.context, cst.Lambda):
            return False
        scope = self.scope_of.get(usage.node) or self._scope_by_ancestry(usage.node)
        function_scope = scope.function_scope
        if function_scope is None or function_scope.kind != "function" or function_scope.function is None:
            return False
        function = function_scope.function
        if function.is_generator:
            return False
        return function.is_async or self.is_request_handler(function)

    def is_request_handler(self, function: FunctionInfo) -> bool:
        """Decorated as a route of a FastAPI/Starlette app or router."""
        outer = function.scope.parent or self.module_scope
        for decorator in function.node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                if expr.func.attr.value in lib.ROUTE_DECORATORS:
                    receiver = self.value_of(expr.func.value, outer)
                    if isinstance(receiver, Obj) and receiver.type.app:
                        return True
        return False

    def name_uses(self, name: str, scope: Scope) -> List[cst.Name]:
        """Loads of ``name`` in ``scope`` (and scopes nested in it that do not rebind it)."""
        found = list(scope.loads.get(name, ()))
        for child in self._child_scopes.get(scope, ()):
            if name not in child.bindings:
                found.extend(self.name_uses(name, child))
        return found

    @property
    def _child_scopes(self) -> Dict[Scope, List[Scope]]:
        children = self.__dict__.get("_children")
        if children is None:
            children = defaultdict(list)
            for scope in self.scopes:
                if scope.parent is not None:
                    children[scope.parent].append(scope)
            self.__dict__["_children"] = children
        return children


def _kind_of(value: Optional[Value]) -> Optional[str]:
    return value.kind if isinstance(value, Obj) else None


def _call_result(spec: str, api: str) -> Optional[Value]:
    result = lib.parse_spec(spec)
    if result.mode in ("value", "block"):
        return Obj(result.kind) if result.kind in lib.TYPES else None
    if result.mode == "sync":
        return None
    return Pending(result.mode, result.kind, api)


class _Builder(cst.CSTVisitor):
    """The one pass over the tree that records what the model needs."""

    def __init__(self, model: SemanticModel):
        super().__init__()
        self.model = model
        self.stack: List[cst.CSTNode] = []
        self.module_scope = Scope("module", model.module, None)
        self.scope = self.module_scope
        self.scopes: List[Scope] = [self.module_scope]
        self._not_loads: Set[cst.CSTNode] = set()
        self._receiver_params: Set[cst.Param] = set()  # `self`/`cls`: bound by visit_FunctionDef
        # node class -> this builder's bound visit_X / leave_X (or None): one lookup a class
        self._visits: Dict[type, Optional[Callable]] = {}
        self._leaves: Dict[type, Optional[Callable]] = {}

    # generic bookkeeping --------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        stack = self.stack
        if stack:
            self.model.parents[node] = stack[-1]
        stack.append(node)
        cls = type(node)
        try:
            visit = self._visits[cls]
        except KeyError:
            visit = self._visits[cls] = getattr(self, "visit_" + cls.__name__, None)
        return visit is None or visit(node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        cls = type(original_node)
        try:
            leave = self._leaves[cls]
        except KeyError:
            leave = self._leaves[cls] = getattr(self, "leave_" + cls.__name__, None)
        if leave is not None:
            leave(original_node)
        self.stack.pop()
        if self.scope.node is original_node:
            self.scope = self.scope.parent  # type: ignore[assignment]

    def _push(self, kind: str, node: cst.CSTNode) -> Scope:
        self.scope = Scope(kind, node, self.scope)
        self.scopes.append(self.scope)
        self.model.scope_of[node] = self.scope
        return self.scope

    def _bind(self, name: str, binding: Binding, scope: Optional[Scope] = None) -> None:
        scope = scope or self.scope
        if scope.kind == "comprehension" and binding.how != "unknown":
            scope = self._outside_comprehensions(scope)  # walrus binds outside
        if name in scope.globals:
            scope = self.module_scope
        scope.bindings[name].append(binding)

    @staticmethod
    def _outside_comprehensions(scope: Scope) -> Scope:
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope

    def _bind_target(self, target: cst.BaseExpression, binding: Binding) -> None:
        if isinstance(binding.node, cst.Name) and binding.node.value == "None" and binding.how == "value":
            binding = Binding("none", None, binding.scope)  # `x = None` never decides what x holds
        if isinstance(target, cst.Name):
            self._not_loads.add(target)
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, Binding("unknown", None, self.scope))
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, Binding("unknown", None, self.scope))
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, binding)

    def _bind_attribute(self, target: cst.Attribute, binding: Binding) -> None:
        if isinstance(target.value, cst.Attribute) and target.value.attr.value == "state":
            self.model.state_bindings[target.attr.value].append(binding)
            return
        function_scope = self.scope.function_scope
        info = function_scope.function if function_scope else None
        if info is None or info.owner is None or not isinstance(target.value, cst.Name):
            return
        params = info.node.params.params
        if params and params[0].name.value == target.value.value:
            info.owner.instance_attrs[target.attr.value].append(binding)

    # scopes ---------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        owner = outer.cls if outer.kind == "class" else None
        self._not_loads.add(node.name)
        scope = self._push("function", node)
        info = FunctionInfo(node, scope, node.asynchronous is not None, owner=owner)
        scope.function = info
        self.model.functions[node] = info
        self._bind(node.name.value, Binding("function", node, outer, info), outer)
        if owner is not None and node.params.params:
            decorators = set(info.decorator_names())
            if "staticmethod" not in decorators:
                first = node.params.params[0]
                how = "classref" if "classmethod" in decorators else "instance"
                self._not_loads.add(first.name)
                scope.bindings[first.name.value].append(Binding(how, first, scope, owner))
                self._receiver_params.add(first)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push("lambda", node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        outer = self.scope
        self._not_loads.add(node.name)
        scope = self._push("class", node)
        info = ClassInfo(node, scope)
        scope.cls = info
        self._bind(node.name.value, Binding("class", node, outer, info), outer)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._push("comprehension", node)

    visit_SetComp = visit_ListComp
    visit_DictComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    # bindings -------------------------------------------------------------
    def visit_Param(self, node: cst.Param) -> None:
        self._not_loads.add(node.name)
        if node in self._receiver_params:
            return
        function_scope = self.scope
        info = function_scope.function if function_scope.kind == "function" else None
        function_scope.bindings[node.name.value].append(Binding("param", node, function_scope, info))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, Binding("value", node.value, self.scope))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, Binding("annotated", node, self.scope))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            # `q += ...`: unknown as an object; the SQL string analysis reads it
            self._bind(node.target.value, Binding("augmented", node, self.scope))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, Binding("value", node.value, self.scope))

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, Binding("unknown", None, self.scope))
        self.model.fors.append(node)
        self.model.scope_of[node] = self.scope

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, Binding("unknown", None, self.scope))
        self.model.fors.append(node)
        self.model.scope_of[node] = self.scope

    def visit_With(self, node: cst.With) -> None:
        self.model.withs.append(node)
        self.model.scope_of[node] = self.scope
        for item in node.items:
            if item.asname is not None:
                # A sync `with` over an async context manager is itself a bug
                # (ADB104); bind what the code means, so later lines are judged too.
                how = "async" if node.asynchronous is not None else "sync"
                self._bind_target(item.asname.name, Binding("enter", item.item, self.scope, how))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_target(node.name.name, Binding("unknown", None, self.scope))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if not dotted:
                continue
            self.model.imported_modules.add(dotted)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._not_loads.add(alias.asname.name)
                name, target = alias.asname.name.value, dotted
            else:
                name, target = dotted.split(".")[0], dotted.split(".")[0]
            self._bind(name, Binding("extern", alias, self.scope, target))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level == 0 and module:
            self.model.imported_modules.add(module)
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            imported = alias.name.value if isinstance(alias.name, cst.Name) else _dotted(alias.name)
            if not imported:
                continue
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            if level == 0 and module and module.split(".")[0] in _KNOWN_EXTERNAL_ROOTS:
                binding = Binding("extern", alias, self.scope, f"{module}.{imported}")
            elif level == 0:
                # Could be a project module or any installed package: ask the
                # index, and fall back to the qualified name.
                binding = Binding("project_or_extern", alias, self.scope, (module, imported))
            else:
                binding = Binding("project", alias, self.scope, (level, module or "", imported))
            self._bind(local, binding)
        return False

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.globals.add(item.name.value)
            self._not_loads.add(item.name)

    def visit_Return(self, node: cst.Return) -> None:
        scope = self.scope.function_scope
        if node.value is not None and scope is not None and scope.function is not None and scope.kind == "function":
            scope.function.returns.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        scope = self.scope.function_scope
        if scope is not None and scope.function is not None and scope.kind == "function":
            value = node.value if not isinstance(node.value, cst.From) else None
            scope.function.yields.append(value)

    # nodes rules ask about --------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.model.scope_of[node] = self.scope

    def leave_Call(self, original_node: cst.Call) -> None:
        # Post-order: inner calls before the calls that use them, as Python
        # evaluates them (`conn.execute(q).fetchone()`: `execute` comes first).
        self.model.calls.append(original_node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.model.subscripts.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.model.attributes.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node in self._not_loads:
            return
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        if isinstance(parent, (cst.ImportAlias, cst.AsName, cst.NameItem)):
            return
        self.model.scope_of[node] = self.scope
        self.scope.loads[node.value].append(node)


# Packages that are never part of the linted project: imports from them need no
# index lookup.
_KNOWN_EXTERNAL_ROOTS = frozenset(lib.LIBRARY_MODULES) | {
    "typing", "typing_extensions", "collections", "asyncio", "contextlib", "functools",
    "fastapi", "starlette", "pydantic", "os", "sys", "json", "logging", "dataclasses",
    "anyio", "trio", "sqlite3", "datetime", "uuid", "enum", "abc", "pathlib",
}
