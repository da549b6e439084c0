"""What a name or expression holds: the evaluator.

``value_of`` answers with a value from model/values.py (an ``Obj`` of a DB
kind, a ``Pending`` coroutine, an ``Extern`` library name...) or None for "we
do not know". Names are looked up by Python's scoping rules and their bindings
evaluated (assignments, parameters, ``with ... as``, imports through the project
index); attributes through classes and their bases; calls through the library
tables and the summaries of project functions.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.imports import IMPORT_BINDINGS, imported_value
from asyncdb_lint.model.scopes import Binding, ClassInfo, ClassValue, FunctionInfo, FunctionValue, Instance, Scope
from asyncdb_lint.model.values import (
    Extern,
    FuncSummary,
    Obj,
    Opaque,
    Pending,
    ProjectClass,
    ProjectInstance,
    ProjectModule,
    Value,
    awaited,
    entered,
)


_PROPERTIES = frozenset({"property", "cached_property", "functools.cached_property"})


class ValueQuestions:
    """What an expression holds (mixed into :class:`SemanticModel`)."""

    def value_of(self, expr: cst.CSTNode, scope: Optional[Scope] = None) -> Optional[Value]:
        """What the expression holds, or None when we cannot be sure."""
        if scope is None:
            scope = self.scope_at(expr)
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

    def code_label(self, call: cst.Call) -> str:
        """How messages show a call as written, on one line and shortened: ``Band.select().where(...)``."""
        code = " ".join(self.module.code_for_node(call.func).split())
        return f"{code if len(code) <= 48 else '...' + code[-45:]}(...)"

    def qualname_of(self, expr: cst.CSTNode, scope: Optional[Scope] = None) -> Optional[str]:
        value = self.value_of(expr, scope)
        return value.qualname if isinstance(value, Extern) else None

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
        home = self.binding_scope(name, scope)
        return self._combine(home.bindings[name]) if home is not None else None

    def binding_scope(self, name: str, scope: Scope) -> Optional[Scope]:
        """The scope whose bindings of ``name`` a read in ``scope`` sees (Python's rules)."""
        current: Optional[Scope] = self.module_scope if name in scope.globals else scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return current
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
        """One value if every (non-None) binding agrees, else unknown.

        A bare annotation (``session: AsyncSession`` before ``async with ... as
        session``) declares what the name holds where a binding says nothing.
        """
        declared = {self._binding_value(b) for b in bindings if b.how == "annotated" and b.node.value is None}
        declared_kind = next(iter(declared)) if len(declared) == 1 else None
        if not isinstance(declared_kind, Obj):
            declared_kind = None
        result: Optional[Value] = None
        for binding in bindings:
            if binding.how == "none":
                continue
            value = self._binding_value(binding)
            if value is None and declared_kind is not None:
                value = declared_kind
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
            if node.value is not None:
                return self.value_of(node.value, scope)
            return self.declared_other(node.annotation.annotation, scope)
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
            if kind and lib.TYPES[kind].blocking and self.awaited_receiver(param.name.value, scope):
                return None  # `session: Session` that the code awaits: the code outranks the annotation
            if kind:
                return Obj(kind)
            dependency = self._annotated_dependency(param.annotation.annotation, outer)
            if dependency:
                return Obj(dependency)
            other = self.declared_other(param.annotation.annotation, outer)
            if other is not None:
                return other
        if param.default is not None:
            dependency = self.dependency_kind(param.default, outer)
            if dependency:
                return Obj(dependency)
        return None

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
            return self.class_attribute(base.info, attr, instance=isinstance(base, Instance))
        if isinstance(base, (ProjectClass, ProjectInstance)):
            return self.index.class_attribute(base, attr)
        if isinstance(base, Obj):
            if attr in base.type.attributes:
                return Obj(base.type.attributes[attr])  # ormar: Model.objects
            if base.type.attribute_kind and attr not in base.type.methods and not attr.startswith("_"):
                return Obj(base.type.attribute_kind)  # pymongo: client.db.collection
        return None

    def class_attribute(self, info: ClassInfo, attr: str, instance: bool, depth: int = 0) -> Optional[Value]:
        """``attr`` of a class of this file, or of an instance of it: class-level
        bindings and annotations, ``self.attr`` set in any method, properties, bases
        (of this file, or of other modules through the project index)."""
        bindings = list(info.scope.bindings.get(attr, []))
        if instance:
            bindings += info.instance_attrs.get(attr, [])
        if bindings:
            value = self._combine(bindings)  # a method comes back as its function: calling it calls that
            if instance and isinstance(value, FunctionValue) and _PROPERTIES & set(value.info.decorator_names()):
                return self.function_summary(value.info).returns
            return value
        if depth < 5:
            for base in info.node.bases:
                base_value = self.value_of(base.value, info.scope.parent)
                found: Optional[Value] = None
                if isinstance(base_value, ClassValue):
                    found = self.class_attribute(base_value.info, attr, instance, depth + 1)
                elif isinstance(base_value, ProjectClass):
                    owner = ProjectInstance(base_value.path, base_value.name) if instance else base_value
                    found = self.index.class_attribute(owner, attr)
                elif isinstance(base_value, Extern) and base_value.qualname in lib.MODEL_BASES:
                    class_kind, instance_kind = lib.MODEL_BASES[base_value.qualname]
                    found = _library_member(instance_kind if instance else class_kind, attr, info.node.name.value)
                elif instance and isinstance(base_value, Extern) and base_value.qualname in lib.CLASSES:
                    # `class Cache(redis.asyncio.Redis)`: its instances (and `self`) are Redis clients
                    found = _library_member(lib.CLASSES[base_value.qualname], attr, info.node.name.value)
                if found is not None:
                    return found
        return None

    def library_object(self, value: Optional[Value]) -> Optional[Obj]:
        """The library object a value stands for: itself, or the library model a
        project class (or instance) derives from (``class User(Model)``)."""
        if isinstance(value, Obj):
            return value
        if isinstance(value, (ClassValue, Instance)):
            found = self.class_attribute(value.info, LIBRARY_KIND, instance=isinstance(value, Instance))
        elif isinstance(value, (ProjectClass, ProjectInstance)):
            found = self.index.class_attribute(value, LIBRARY_KIND)
        else:
            return None
        return found if isinstance(found, Obj) else None

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
                return _call_result(spec, f"{receiver.type.label}.{method}()", method in receiver.type.eager)
            if receiver is None:
                return self.call_by_evidence(call, scope)
        callee = self.value_of(func, scope)
        if isinstance(callee, Extern):
            result = self._extern_call(callee.qualname, call, scope)
            if result is None and callee.qualname.split(".")[0] in lib.NOT_DB_MODULES:
                return Opaque(callee.qualname)  # a mock, an HTTP client...: never a DB object
            return result
        if callee is None and isinstance(func, cst.Name) and func.value in lib.BUILTIN_TYPES:
            if not self.binds(func.value, scope):
                return Opaque(func.value)
        if isinstance(callee, Obj) and callee.type.called:
            return _call_result(callee.type.called, f"{callee.type.label}()")
        if isinstance(callee, FunctionValue):
            return self.function_summary(callee.info).returns
        if isinstance(callee, FuncSummary):
            return callee.returns
        if isinstance(callee, ClassValue):
            return Instance(callee.info)
        if isinstance(callee, ProjectClass):
            return ProjectInstance(callee.path, callee.name)
        return None

    def _extern_call(self, qualname: str, call: cst.Call, scope: Scope) -> Optional[Value]:
        if qualname in lib.CLASSES:
            return Obj(lib.CLASSES[qualname])
        if qualname in lib.FUNCTIONS:
            owner, _, name = qualname.rpartition(".")
            owner = owner.rpartition(".")[2] if owner.rpartition(".")[2][:1].isupper() else qualname.split(".")[0]
            return _call_result(lib.FUNCTIONS[qualname], f"{owner}.{name}()")  # `asyncpg.connect()`, `Tortoise.init()`
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


# A pseudo-attribute: asked of a project class, it answers the library model
# the class derives from (see ``library_object``); no code binds it.
LIBRARY_KIND = "__asyncdb_library_kind__"


def _library_member(kind: str, attr: str, class_name: str) -> Optional[Value]:
    """``attr`` of a project class (or instance) that the library base class
    ``kind`` provides: a method comes back as what calling it gives."""
    if attr == LIBRARY_KIND:
        return Obj(kind)
    db_type = lib.TYPES[kind]
    if attr in db_type.attributes:
        return Obj(db_type.attributes[attr])
    spec = db_type.methods.get(attr)
    if spec is None and not attr.startswith("_"):
        spec = db_type.default_method
    if spec is None:
        return None
    return FuncSummary(_call_result(spec, f"{class_name}.{attr}()"), None)


def _kind_of(value: Optional[Value]) -> Optional[str]:
    return value.kind if isinstance(value, Obj) else None


def _call_result(spec: str, api: str, starts_at_once: bool = False) -> Optional[Value]:
    result = lib.parse_spec(spec)
    if result.mode in ("value", "block"):
        return Obj(result.kind) if result.kind in lib.TYPES else None
    if result.mode == "sync":
        return None
    return Pending(result.mode, result.kind, api, starts_at_once=starts_at_once)
