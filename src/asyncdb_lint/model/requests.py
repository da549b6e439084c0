"""Where a request is: which functions of a file run once per request.

Roots are route handlers (FastAPI/Starlette decorators, ``Route(...)``
endpoints, ``add_api_route``, ``HTTPEndpoint`` methods), HTTP middleware,
``Depends``/``Security`` providers and GraphQL ``context_getter``s; plain
helpers of the same file called from a root run per request too. Lifespans,
startup/shutdown handlers, app factories, ``main``, CLI commands, pytest
fixtures and worker hooks never do, even when a request handler calls them.
"""

from __future__ import annotations

from typing import List, Optional, Set

import libcst as cst

from asyncdb_lint.model import frameworks
from asyncdb_lint.model.handles import is_memoised
from asyncdb_lint.model.semantic import ClassValue, FunctionInfo, FunctionValue, SemanticModel
from asyncdb_lint.model.values import Obj

_FACTORY_NAMES = frozenset({"create_app", "make_app", "get_application", "get_app", "build_app", "app_factory", "main"})
_NOT_PER_REQUEST_DECORATORS = (
    "fixture", "pytest.fixture", "pytest_asyncio.fixture", "command", "group", "callback",
    "asynccontextmanager", "contextlib.asynccontextmanager", "on_event",
    "worker_process_init.connect", "worker_init.connect", "signals.worker_process_init.connect",
)
class RequestContext:
    def __init__(self, model: SemanticModel):
        self.model = model
        self.startup_functions: Set[FunctionInfo] = set()
        roots = self._roots()
        self.per_request: Set[FunctionInfo] = self._closure(roots)

    def is_per_request(self, function: Optional[FunctionInfo]) -> bool:
        return function is not None and function in self.per_request

    def is_memoised(self, function: FunctionInfo) -> bool:
        return is_memoised(function)

    # ------------------------------------------------------------ roots
    def _roots(self) -> List[FunctionInfo]:
        model = self.model
        roots: List[FunctionInfo] = []
        for function in model.functions.values():
            if self._is_route_or_middleware(function):
                roots.append(function)
            elif function.owner is not None and self._class_has_base(function.owner.node, frameworks.ENDPOINT_BASES):
                roots.append(function)
            elif function.owner is not None and function.name == "dispatch" and self._class_has_base(
                function.owner.node, frameworks.MIDDLEWARE_BASES
            ):
                roots.append(function)
        for call in model.calls:
            scope = model.scope_of[call]
            qualname = model.qualname_of(call.func, scope)
            if qualname in frameworks.DEPENDENCY_MARKERS and call.args:
                roots.extend(self._functions_of(call.args[0].value, scope, as_dependency=True))
            elif qualname in frameworks.ROUTE_CLASSES:
                endpoint = _argument(call, 1, "endpoint")
                if endpoint is not None:
                    roots.extend(self._functions_of(endpoint, scope, as_dependency=True))
            elif isinstance(call.func, cst.Attribute) and call.func.attr.value in frameworks.ROUTE_ADDERS:
                if isinstance(model.value_of(call.func.value, scope), Obj):
                    endpoint = _argument(call, 1, "endpoint")
                    if endpoint is not None:
                        roots.extend(self._functions_of(endpoint, scope, as_dependency=True))
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "context_getter":
                    roots.extend(self._functions_of(arg.value, scope, as_dependency=True))
        self._collect_startup(model)
        return [root for root in roots if root not in self.startup_functions]

    def _is_route_or_middleware(self, function: FunctionInfo) -> bool:
        if self.model.is_request_handler(function):
            return True
        outer = function.scope.parent or self.model.module_scope
        for decorator in function.node.decorators:
            expr = decorator.decorator
            if (
                isinstance(expr, cst.Call)
                and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value == "middleware"
                and _string_argument(expr) == "http"
            ):
                receiver = self.model.value_of(expr.func.value, outer)
                if isinstance(receiver, Obj) and receiver.type.app:
                    return True
        return False

    def _class_has_base(self, node: cst.ClassDef, bases: frozenset) -> bool:
        scope = self.model.scope_of.get(node)
        outer = scope.parent if scope is not None and scope.parent is not None else self.model.module_scope
        return any(self.model.qualname_of(base.value, outer) in bases for base in node.bases)

    def _functions_of(self, expr: cst.BaseExpression, scope, as_dependency: bool) -> List[FunctionInfo]:
        value = self.model.value_of(expr, scope)
        if isinstance(value, FunctionValue):
            return [value.info]
        if isinstance(value, ClassValue) and as_dependency:
            # A class dependency is built per request: its __init__ and __call__ run then.
            return [
                info for info in self.model.functions.values()
                if info.owner is value.info and info.name in ("__init__", "__call__")
            ] + [
                info for info in self.model.functions.values()
                if info.owner is value.info and self._class_has_base(value.info.node, frameworks.ENDPOINT_BASES)
            ]
        return []

    def _collect_startup(self, model: SemanticModel) -> None:
        """Functions that run at startup/shutdown, or outside requests altogether."""
        startup = self.startup_functions
        for function in model.functions.values():
            names = set(function.decorator_names())
            if function.name in _FACTORY_NAMES or function.name in ("lifespan", "startup", "shutdown", "on_startup", "on_shutdown"):
                startup.add(function)
            elif any(name.endswith(decorator) for name in names for decorator in _NOT_PER_REQUEST_DECORATORS):
                startup.add(function)
            elif self._returns_app(function):
                startup.add(function)
        for call in model.calls:
            scope = model.scope_of[call]
            qualname = model.qualname_of(call.func, scope)
            for arg in call.args:
                keyword = arg.keyword.value if arg.keyword is not None else None
                if keyword == "lifespan":
                    startup.update(self._functions_of(arg.value, scope, as_dependency=False))
                elif keyword in ("on_startup", "on_shutdown") and isinstance(arg.value, (cst.List, cst.Tuple)):
                    for element in arg.value.elements:
                        startup.update(self._functions_of(element.value, scope, as_dependency=False))
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_event_handler" and len(call.args) > 1:
                startup.update(self._functions_of(call.args[1].value, scope, as_dependency=False))
            if qualname in ("asyncio.run", "anyio.run", "trio.run", "uvloop.run") and call.args:
                target = call.args[0].value
                if isinstance(target, cst.Call):
                    target = target.func
                startup.update(self._functions_of(target, scope, as_dependency=False))

    def _returns_app(self, function: FunctionInfo) -> bool:
        for expr in function.returns:
            value = self.model.value_of(expr, function.scope)
            if isinstance(value, Obj) and value.type.app:
                return True
        return False

    # ------------------------------------------------------------ helpers
    def _closure(self, roots: List[FunctionInfo]) -> Set[FunctionInfo]:
        """Roots, and the functions of this file they call (not the startup ones)."""
        seen: Set[FunctionInfo] = set()
        todo = list(roots)
        while todo:
            function = todo.pop()
            if function in seen or function in self.startup_functions:
                continue
            seen.add(function)
            for call in self.model.calls_in(function.scope):
                callee = self.model.value_of(call.func, self.model.scope_of[call])
                if isinstance(callee, FunctionValue) and callee.info not in seen:
                    todo.append(callee.info)
        return seen


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if len(positional) > position else None


def _string_argument(call: cst.Call) -> Optional[str]:
    if call.args and isinstance(call.args[0].value, cst.SimpleString):
        value = call.args[0].value.evaluated_value
        return value if isinstance(value, str) else None
    return None


def request_context(model: SemanticModel) -> RequestContext:
    """One request context per model, shared by every rule that asks."""
    context = model.__dict__.get("_requests")
    if context is None:
        context = model.__dict__["_requests"] = RequestContext(model)
    return context

