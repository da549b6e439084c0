"""What blocks the event loop: calls of sync drivers that wait on I/O (for ADB3xx).

Not every call on a sync driver's object waits. Building a cursor, a ``Session``, an engine, a
``MongoClient`` or a ``Redis`` client does no I/O - the first query does - and
psycopg2 opened in async mode (``async_=True``, aiopg's base) never waits at
all. The knowledge is data in model/libraries.py: a method listed with a plain
``K`` spec (not ``block:K``) or ``sync`` does no I/O, a ``lazy`` type's
constructor does none, nor does a factory listed without ``block:``, a
session factory whose ``called`` spec is not ``block:`` or a method a type's
``default_method`` says is ``sync`` (a redis pipeline's queued commands), and
``ASYNC_MODE_ARGUMENTS`` names the arguments that make a connection
non-blocking. ``OFFLOADERS`` names the decorators that run a sync ``def`` in a
worker thread.

So the first call reported on a connection is the one that waits.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import Binding, FunctionInfo, FunctionValue, Scope
from asyncdb_lint.model.values import Extern, Obj

_MAX_DEPTH = 6  # how far async mode is followed through names and cursors


class BlockingQuestions:
    """Blocking calls (mixed into :class:`SemanticModel`)."""

    def blocking_call(self, call: cst.Call) -> Optional[lib.DbType]:
        """The sync driver type a call waits on, if it waits on I/O."""
        driver = self._touches_driver(call)
        if driver is None or not _does_io(self, call):
            return None
        return driver

    def _touches_driver(self, call: cst.Call) -> Optional[lib.DbType]:
        """The sync driver type a call is made on: a connect function or constructor
        of a sync driver, any method of a sync driver object not known to be
        I/O-free, or calling a sync session factory."""
        func = call.func
        scope = self.scope_at(call)
        if isinstance(func, cst.Attribute):
            receiver = self.value_of(func.value, scope)
            if isinstance(receiver, Obj) and not receiver.type.blocking:
                # an async library's blocking form of a call (Piccolo's `run_sync()`)
                spec = receiver.type.methods.get(func.attr.value)
                return receiver.type if spec is not None and lib.parse_spec(spec).mode == "block" else None
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
        """The first call that waits on a sync driver in a plain ``def`` of this file,
        made directly or through another plain function of this file it calls."""
        memo: Dict[int, Optional[Tuple[cst.Call, lib.DbType]]] = self.__dict__.setdefault("_waiting_calls", {})
        key = id(info)
        if key in memo:
            return memo[key]
        if info.is_async or depth > 8 or self.is_offloaded(info):
            return None
        memo[key] = None  # a cycle of calls: nothing found along it
        found = None
        for call in self.calls_in(info.scope):
            driver = self.blocking_call(call)
            if driver is not None:
                found = (call, driver)
                break
            callee = self.value_of(call.func, self.scope_of[call])
            if isinstance(callee, FunctionValue):
                inner = self.function_blocking_call(callee.info, depth + 1)
                if inner is not None:
                    found = (call, inner[1])
                    break
        memo[key] = found
        return found

    def is_offloaded(self, info: FunctionInfo) -> bool:
        """A ``def`` decorated to run in a worker thread (``@sync_to_async``,
        ``@database_sync_to_async``, ``@asyncify``): calling it never blocks."""
        outer = info.scope.parent or self.module_scope
        for decorator in info.node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):  # @sync_to_async(thread_sensitive=False)
                expr = expr.func
            if self.qualname_of(expr, outer) in lib.OFFLOADERS:
                return True
        return False

    def calls_in(self, function_scope: Scope) -> List[cst.Call]:
        """Calls whose nearest enclosing function is ``function_scope``, in order."""
        by_function = self.__dict__.get("_calls_by_function")
        if by_function is None:
            by_function = defaultdict(list)
            for call in self.calls:
                by_function[self.scope_of[call].function_scope].append(call)
            self.__dict__["_calls_by_function"] = by_function
        return by_function.get(function_scope, [])


# ---------------------------------------------------------------- I/O or not
def _does_io(model, call: cst.Call) -> bool:
    func = call.func
    scope = model.scope_at(call)
    if isinstance(func, cst.Attribute):
        receiver = model.value_of(func.value, scope)
        if isinstance(receiver, Obj) and not receiver.type.blocking:
            return True  # only a `block` method of an async type gets here
        if isinstance(receiver, Obj) and receiver.type.blocking:
            if _async_mode(model, func.value, scope):
                return False
            method = func.attr.value
            spec = receiver.type.methods.get(method)
            if spec is None and not method.startswith("_"):
                spec = receiver.type.default_method  # a redis pipeline's queued commands
            return spec is None or lib.parse_spec(spec).mode == "block"
    callee = model.value_of(func, scope)
    if isinstance(callee, Extern):
        keywords = lib.ASYNC_MODE_ARGUMENTS.get(callee.qualname)
        if keywords is not None and _passes_async_mode(model, call, scope, keywords):
            return False
        spec = lib.FUNCTIONS.get(callee.qualname)
        if spec is not None:
            return lib.parse_spec(spec).mode == "block"
        kind = lib.CLASSES.get(callee.qualname)
        if kind is not None:
            return not lib.TYPES[kind].lazy
    if isinstance(callee, Obj) and callee.type.called:  # a session factory
        return lib.parse_spec(callee.type.called).mode == "block"
    return True


# ---------------------------------------------------------------- async mode
def _async_mode(model, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """Whether the object ``expr`` holds comes from an async-mode connect
    (``psycopg2.connect(dsn, async_=True)``), directly or through the
    connection a cursor was made from."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, cst.Call):
        qualname = model.qualname_of(expr.func, scope)
        keywords = lib.ASYNC_MODE_ARGUMENTS.get(qualname or "")
        if keywords is not None:
            return _passes_async_mode(model, expr, scope, keywords)
        if isinstance(expr.func, cst.Attribute):  # `conn.cursor()`: a cursor of that connection
            return _async_mode(model, expr.func.value, scope, depth + 1)
        return False
    for binding in _origins(model, expr, scope):
        if binding.how in ("value", "enter") and isinstance(binding.node, cst.BaseExpression):
            if _async_mode(model, binding.node, binding.scope, depth + 1):
                return True
    return False


def _passes_async_mode(model, call: cst.Call, scope: Scope, keywords: FrozenSet[str]) -> bool:
    """``async_=True`` given to the call, by keyword, in a ``**{...}`` literal, or
    in a ``**kwargs`` mapping the same function fills (``kwargs["async_"] = True``,
    aiopg's way)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return not _false_literal(arg.value)
        if arg.star == "**" and _mapping_sets(model, arg.value, scope, keywords, 0):
            return True
    return False


def _mapping_sets(model, expr: cst.BaseExpression, scope: Scope, keywords: FrozenSet[str], depth: int) -> bool:
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if isinstance(element, cst.DictElement) and _string_in(element.key, keywords):
                return not _false_literal(element.value)
        return False
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
        return any(arg.keyword is not None and arg.keyword.value in keywords and not _false_literal(arg.value)
                   for arg in expr.args)
    if not isinstance(expr, cst.Name) or depth > 2:
        return False
    home = scope.function_scope
    for subscript in model.subscripts:  # kwargs["async_"] = True
        target = model.parent(subscript)
        if (
            isinstance(target, cst.AssignTarget)
            and isinstance(subscript.value, cst.Name)
            and subscript.value.value == expr.value
            and model.scope_at(subscript).function_scope is home
            and len(subscript.slice) == 1
            and isinstance(subscript.slice[0].slice, cst.Index)
            and _string_in(subscript.slice[0].slice.value, keywords)
        ):
            assign = model.parent(target)
            if isinstance(assign, cst.Assign) and not _false_literal(assign.value):
                return True
    return any(
        binding.how == "value" and isinstance(binding.node, cst.BaseExpression)
        and _mapping_sets(model, binding.node, binding.scope, keywords, depth + 1)
        for binding in _origins(model, expr, scope)
    )


def _origins(model, expr: cst.BaseExpression, scope: Scope) -> List[Binding]:
    """Where the value of a name, or of ``self.attr``, was bound (this file only)."""
    if isinstance(expr, cst.Name):
        home = model.binding_scope(expr.value, scope)
        return list(home.bindings[expr.value]) if home is not None else []
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        function_scope = scope.function_scope
        info = function_scope.function if function_scope is not None else None
        params = info.node.params.params if info is not None else ()
        if info is not None and info.owner is not None and params and params[0].name.value == expr.value.value:
            owner = info.owner
            return list(owner.instance_attrs.get(expr.attr.value, [])) + list(owner.scope.bindings.get(expr.attr.value, []))
    return []


def _string_in(expr: Optional[cst.BaseExpression], names: FrozenSet[str]) -> bool:
    return isinstance(expr, cst.SimpleString) and expr.evaluated_value in names


def _false_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in ("False", "None")
    if isinstance(expr, cst.Integer):
        try:
            return int(expr.value.replace("_", ""), 0) == 0
        except ValueError:
            return False
    return False
