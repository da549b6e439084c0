"""Where a request is: which functions of a file run once per request.

Roots are route handlers (route decorators of an app or router, handler
decorators such as Litestar's ``@get``, route objects and route tables such as
``Route(...)``/``web.get(...)``, ``add_api_route``/``add_get``/``add_route``),
methods of endpoint and view classes, HTTP middleware and request hooks,
dependency providers (``Depends``, ``Provide``), GraphQL ``context_getter``s
and Django's async view functions; plain helpers of the same file called from
a root run per request too. Lifespans, startup/shutdown handlers and listeners,
app factories, ``main``, CLI commands, pytest fixtures and worker hooks never
do, even when a request handler calls them. What each framework calls what is
data (model/frameworks.py); this module only reads the tables.
"""

from __future__ import annotations

import os

from typing import List, Optional, Sequence, Set

import libcst as cst

from asyncdb_lint.model import frameworks
from asyncdb_lint.model.handles import is_memoised
from asyncdb_lint.model.semantic import ClassInfo, ClassValue, FunctionInfo, FunctionValue, SemanticModel
from asyncdb_lint.model.values import Obj

_FACTORY_NAMES = frozenset({"create_app", "make_app", "get_application", "get_app", "build_app", "app_factory", "main"})
_NOT_PER_REQUEST_DECORATORS = (
    "fixture", "pytest.fixture", "pytest_asyncio.fixture", "command", "group", "callback",
    "asynccontextmanager", "contextlib.asynccontextmanager", "on_event",
    "worker_process_init.connect", "worker_init.connect", "signals.worker_process_init.connect",
)
_REQUEST_KEYWORDS = frozenset().union(*frameworks.REQUEST_ARGUMENTS.values())
_ADDER_METHODS = frozenset().union(*frameworks.ROUTE_ADDERS.values())
_ALL_METHODS = object()  # an endpoint base whose every method handles requests


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
        views_here = any(module.split(".")[0] in frameworks.VIEW_MODULES for module in model.imported_modules)
        for function in model.functions.values():
            if self._is_route_or_middleware(function) or (views_here and self._is_view_function(function)):
                roots.append(function)
            elif function.owner is not None and self._handles_requests(function.owner, function.name):
                roots.append(function)
        for call in model.calls:
            scope = model.scope_of[call]
            qualname = model.qualname_of(call.func, scope)
            if qualname in frameworks.DEPENDENCY_MARKERS and call.args:
                if not self._memoising_marker(call, qualname):
                    roots.extend(self._functions_of(call.args[0].value, scope, as_dependency=True))
            elif qualname in frameworks.ROUTE_FUNCTIONS:
                handler = _argument(call, *frameworks.ROUTE_FUNCTIONS[qualname])
                roots.extend(self._functions_of(handler, scope, as_dependency=True))
            elif isinstance(call.func, cst.Attribute):
                roots.extend(self._registered_on_app(call, call.func, scope))
            keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
            if keywords & _REQUEST_KEYWORDS:
                built = model.value_of(call, scope)
                if isinstance(built, Obj) and built.kind in frameworks.REQUEST_ARGUMENTS:
                    for arg in call.args:
                        if arg.keyword is not None and arg.keyword.value in frameworks.REQUEST_ARGUMENTS[built.kind]:
                            roots.extend(self._functions_in(arg.value, scope))
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "context_getter":
                    roots.extend(self._functions_of(arg.value, scope, as_dependency=True))
        self._collect_startup(model)
        return [root for root in roots if root not in self.startup_functions]

    def _registered_on_app(self, call: cst.Call, func: cst.Attribute, scope) -> List[FunctionInfo]:
        """`app.add_route(path, handler)`, `app.router.add_get(path, handler)`, a request signal."""
        method = func.attr.value
        if method not in _ADDER_METHODS and method not in frameworks.SIGNAL_METHODS:
            return []
        app = self._app(func.value, scope)
        if app is not None:
            adders = frameworks.ROUTE_ADDERS.get(app.type.library, {})
            if method in adders:
                return self._functions_of(_argument(call, *adders[method]), scope, as_dependency=True)
        if method in frameworks.SIGNAL_METHODS and isinstance(func.value, cst.Attribute):
            if func.value.attr.value in frameworks.REQUEST_SIGNALS and self._app(func.value.value, scope) is not None:
                return self._signal_functions(call, scope)
        return []

    def _app(self, expr: Optional[cst.BaseExpression], scope) -> Optional[Obj]:
        """The app or router ``expr`` holds, or whose router it is (``app.router``)."""
        if expr is None:
            return None
        value = self.model.value_of(expr, scope)
        if value is None and isinstance(expr, cst.Attribute) and expr.attr.value in frameworks.ROUTER_ATTRIBUTES:
            value = self.model.value_of(expr.value, scope)
        return value if isinstance(value, Obj) and value.type.app else None

    def _is_route_or_middleware(self, function: FunctionInfo) -> bool:
        model = self.model
        outer = function.scope.parent or model.module_scope
        for decorator in function.node.decorators:
            expr = decorator.decorator
            called = isinstance(expr, cst.Call)
            target = expr.func if isinstance(expr, cst.Call) else expr
            if model.qualname_of(target, outer) in frameworks.HANDLER_DECORATORS:
                return True
            if not isinstance(target, cst.Attribute) or self._app(target.value, outer) is None:
                continue
            method = target.attr.value
            if method in frameworks.ROUTE_DECORATORS and called:
                return True
            if method in frameworks.REQUEST_HOOK_DECORATORS:
                return True
            if method in frameworks.MIDDLEWARE_DECORATORS:
                if not called or _string_arguments(expr) & frameworks.MIDDLEWARE_DECORATORS[method]:
                    return True
        return False

    def _is_view_function(self, function: FunctionInfo) -> bool:
        """A module-level ``async def view(request, ...)`` of a module that imports Django."""
        params = function.node.params.params
        return (
            function.is_async
            and function.owner is None
            and function.scope.parent is self.model.module_scope
            and bool(params)
            and params[0].name.value in frameworks.VIEW_REQUEST_PARAMETERS
            and not _is_test(function, self.model.path)  # pytest's `request` fixture
        )

    def _handles_requests(self, cls: ClassInfo, method: str) -> bool:
        """A method of an endpoint or view class that runs per request."""
        methods = self._endpoint_methods(cls)
        return methods is _ALL_METHODS or (methods is not None and method in methods)  # type: ignore[operator]

    def _endpoint_methods(self, cls: ClassInfo, depth: int = 0):
        """The methods of ``cls`` that handle requests, by its framework base
        (found through the classes of this file it derives from); None if none."""
        outer = cls.scope.parent or self.model.module_scope
        for base in cls.node.bases:
            qualname = self.model.qualname_of(base.value, outer)
            if qualname in frameworks.ENDPOINT_BASES:
                methods = frameworks.ENDPOINT_BASES[qualname]
                return _ALL_METHODS if methods is None else methods
            value = self.model.value_of(base.value, outer)
            if isinstance(value, ClassValue) and value.info is not cls and depth < 5:
                found = self._endpoint_methods(value.info, depth + 1)
                if found is not None:
                    return found
        return None

    def _memoising_marker(self, call: cst.Call, qualname: str) -> bool:
        """``Provide(fn, use_cache=True)``: built once, then the same value for every request."""
        keyword = frameworks.MEMOISING_DEPENDENCY_KEYWORDS.get(qualname)
        return keyword is not None and any(
            arg.keyword is not None and arg.keyword.value == keyword
            and isinstance(arg.value, cst.Name) and arg.value.value == "True"
            for arg in call.args
        )

    def _functions_of(self, expr: Optional[cst.BaseExpression], scope, as_dependency: bool) -> List[FunctionInfo]:
        if expr is None:
            return []
        value = self.model.value_of(expr, scope)
        if isinstance(value, FunctionValue):
            return [value.info]
        if isinstance(value, ClassValue) and as_dependency:
            # A class dependency (or view) is built per request: its __init__ and __call__ run then.
            return [
                info for info in self.model.functions.values()
                if info.owner is value.info
                and (info.name in ("__init__", "__call__") or self._handles_requests(value.info, info.name))
            ]
        return []

    def _functions_in(self, expr: cst.BaseExpression, scope, as_dependency: bool = False) -> List[FunctionInfo]:
        """The functions of one value or of a list/tuple of them."""
        found: List[FunctionInfo] = []
        for element in _elements(expr):
            found.extend(self._functions_of(element, scope, as_dependency))
        return found

    def _signal_functions(self, call: cst.Call, scope) -> List[FunctionInfo]:
        """What ``signal.append(fn)``/``insert(i, fn)``/``extend([...])`` adds to a signal."""
        method = call.func.attr.value  # type: ignore[attr-defined]
        if method == "extend" and call.args:
            return self._functions_in(call.args[0].value, scope)
        return self._functions_of(_argument(call, 1 if method == "insert" else 0, ()), scope, as_dependency=False)

    def _collect_startup(self, model: SemanticModel) -> None:
        """Functions that run at startup/shutdown, or outside requests altogether."""
        startup = self.startup_functions
        for function in model.functions.values():
            names = set(function.decorator_names())
            if function.name in _FACTORY_NAMES or function.name in ("lifespan", "startup", "shutdown", "on_startup", "on_shutdown"):
                startup.add(function)
            elif any(name.endswith(decorator) for name in names for decorator in _NOT_PER_REQUEST_DECORATORS):
                startup.add(function)
            elif any(name.rsplit(".", 1)[-1] in frameworks.STARTUP_DECORATORS for name in names if "." in name):
                startup.add(function)  # `@app.before_serving`, `@app.listener("before_server_start")`
            elif self._returns_app(function):
                startup.add(function)
        for call in model.calls:
            scope = model.scope_of[call]
            qualname = model.qualname_of(call.func, scope)
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in frameworks.STARTUP_ARGUMENTS:
                    startup.update(self._functions_in(arg.value, scope))
            func = call.func
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method in frameworks.STARTUP_REGISTRARS:
                    where = frameworks.STARTUP_REGISTRARS[method]
                    startup.update(self._functions_of(_argument(call, *where), scope, as_dependency=False))
                elif (
                    method in frameworks.SIGNAL_METHODS
                    and isinstance(func.value, cst.Attribute)
                    and func.value.attr.value in frameworks.STARTUP_SIGNALS
                ):
                    startup.update(self._signal_functions(call, scope))  # `app.on_startup.append(fn)`
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


def _is_test(function: FunctionInfo, path: Optional[str]) -> bool:
    """A pytest test or a function of a test module."""
    stem = os.path.splitext(os.path.basename(path or ""))[0]
    if stem == "conftest" or stem.startswith("test_") or stem.endswith("_test"):
        return True
    return function.name.startswith("test") or any(d.startswith(("pytest.", "mark.")) for d in function.decorator_names())


def _argument(call: cst.Call, position: int, keywords: Sequence[str]) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if len(positional) > position else None


def _elements(expr: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [element.value for element in expr.elements if not isinstance(element, cst.StarredElement)]
    return [expr]


def _string_arguments(call: cst.Call) -> Set[str]:
    """The plain string literals among a call's arguments."""
    found: Set[str] = set()
    for arg in call.args:
        if isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            if isinstance(value, str):
                found.add(value)
    return found


def request_context(model: SemanticModel) -> RequestContext:
    """One request context per model, shared by every rule that asks."""
    context = model.__dict__.get("_requests")
    if context is None:
        context = model.__dict__["_requests"] = RequestContext(model)
    return context
