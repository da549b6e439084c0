"""What we know about the web frameworks, as data: where requests run.

The request context (model/requests.py) asks these tables which functions run
once per request (route handlers, endpoint classes, middleware, dependency
providers) and which run once per process (lifespans, startup and shutdown
hooks). Adding a framework is a matter of adding rows here.

Every qualified name below was checked against the installed framework
(FastAPI/Starlette, Litestar 2, aiohttp 3, Quart, Sanic, Django 5): where the
class or function is defined and where it is re-exported.

Plain data only: model/libraries.py turns the app types into the model's
``DbType`` rows (``app=True``), so this module imports nothing of the model.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

# App and router types: their route decorators (``ROUTE_DECORATORS``) mark
# request handlers. kind -> label.
APP_TYPES: Dict[str, str] = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.APIRouter": "APIRouter",
    "starlette.Starlette": "Starlette",
    "starlette.Router": "Router",
    "litestar.Litestar": "Litestar",
    "litestar.Router": "Router",
    "aiohttp.Application": "Application",
    "aiohttp.RouteTableDef": "RouteTableDef",
    "quart.Quart": "Quart",
    "quart.Blueprint": "Blueprint",
    "sanic.Sanic": "Sanic",
    "sanic.Blueprint": "Blueprint",
    "ninja.NinjaAPI": "NinjaAPI",
    "ninja.Router": "Router",
}

# Attributes of an app that are its router, by app kind (`router = app.router`).
APP_ATTRIBUTES: Dict[str, Dict[str, str]] = {"aiohttp.Application": {"router": "aiohttp.Application"}}

# Qualified names of those classes -> kind.
APP_CLASSES: Dict[str, str] = {
    "fastapi.FastAPI": "fastapi.FastAPI",
    "fastapi.applications.FastAPI": "fastapi.FastAPI",
    "fastapi.APIRouter": "fastapi.APIRouter",
    "fastapi.routing.APIRouter": "fastapi.APIRouter",
    "starlette.applications.Starlette": "starlette.Starlette",
    "starlette.routing.Router": "starlette.Router",
    "litestar.Litestar": "litestar.Litestar",
    "litestar.app.Litestar": "litestar.Litestar",
    "litestar.Router": "litestar.Router",
    "litestar.router.Router": "litestar.Router",
    "aiohttp.web.Application": "aiohttp.Application",
    "aiohttp.web_app.Application": "aiohttp.Application",
    "aiohttp.web.RouteTableDef": "aiohttp.RouteTableDef",
    "aiohttp.web_routedef.RouteTableDef": "aiohttp.RouteTableDef",
    "quart.Quart": "quart.Quart",
    "quart.app.Quart": "quart.Quart",
    "quart.Blueprint": "quart.Blueprint",
    "quart.blueprints.Blueprint": "quart.Blueprint",
    "sanic.Sanic": "sanic.Sanic",
    "sanic.app.Sanic": "sanic.Sanic",
    "sanic.Blueprint": "sanic.Blueprint",
    "sanic.blueprints.Blueprint": "sanic.Blueprint",
    "ninja.NinjaAPI": "ninja.NinjaAPI",
    "ninja.main.NinjaAPI": "ninja.NinjaAPI",
    "ninja.Router": "ninja.Router",
    "ninja.router.Router": "ninja.Router",
}

# Decorator methods of an app or router that register a request handler.
ROUTE_DECORATORS: FrozenSet[str] = frozenset({
    "get", "post", "put", "patch", "delete", "options", "head", "trace",
    "api_route", "route", "websocket", "websocket_route", "view", "api_operation",
})

# Decorator methods of an app or router whose function runs around every request
# (Quart's request hooks, Sanic's `on_request`/`on_response`).
REQUEST_HOOK_DECORATORS: FrozenSet[str] = frozenset({
    "before_request", "after_request", "teardown_request",
    "before_websocket", "after_websocket", "teardown_websocket",
    "before_app_request", "after_app_request", "teardown_app_request",
    "before_app_websocket", "after_app_websocket", "teardown_app_websocket",
    "on_request", "on_response",
})

# Middleware decorator methods of an app or router -> the string arguments that
# make it HTTP middleware (`@app.middleware("http")`, Sanic's `("request")`/
# `("response")`); used bare (Sanic's `@app.middleware`) it is request middleware.
MIDDLEWARE_DECORATORS: Dict[str, FrozenSet[str]] = {
    "middleware": frozenset({"http", "request", "response"}),
}

# Decorator methods of an app or router whose function runs at startup or
# shutdown, never per request (Quart's serving hooks, Sanic's listeners).
STARTUP_DECORATORS: FrozenSet[str] = frozenset({
    "on_event",
    "before_serving", "after_serving", "while_serving",
    "before_app_serving", "after_app_serving", "while_app_serving",
    "listener", "before_server_start", "after_server_start", "before_server_stop", "after_server_stop",
    "main_process_start", "main_process_ready", "main_process_stop", "reload_process_start", "reload_process_stop",
})

# Decorators, by qualified name, that make the decorated function (or method)
# a request handler wherever it is: Litestar's route handlers, aiohttp's
# new-style middleware.
_LITESTAR_HTTP = ("get", "post", "put", "patch", "delete", "head", "route")
_LITESTAR_OTHER = ("websocket", "websocket_listener", "asgi")
HANDLER_DECORATORS: FrozenSet[str] = frozenset(
    {f"{module}.{name}" for module in ("litestar", "litestar.handlers") for name in _LITESTAR_HTTP + _LITESTAR_OTHER}
    | {f"litestar.handlers.http_handlers.{name}" for name in _LITESTAR_HTTP}
    | {f"litestar.handlers.http_handlers.decorators.{name}" for name in _LITESTAR_HTTP if name != "route"}
    | {"aiohttp.web.middleware", "aiohttp.web_middlewares.middleware"}
    | {"rest_framework.decorators.api_view", "adrf.decorators.api_view"}
)

# Dependency markers: `Depends(fn)` injects what `fn` returns or yields, per request.
DEPENDENCY_MARKERS: FrozenSet[str] = frozenset({
    "fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security",
    "litestar.di.Provide",
})
# Dependency markers -> the keyword that, when true, makes the provider run once
# and its value be reused by every later request (Litestar's `use_cache=True`;
# FastAPI's `use_cache` only caches within one request, so it is not listed).
MEMOISING_DEPENDENCY_KEYWORDS: Dict[str, str] = {"litestar.di.Provide": "use_cache"}

HTTP_METHODS: FrozenSet[str] = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})

_VIEWSET_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})

# Base classes whose methods handle requests -> which methods (None: all of
# them). aiohttp, Sanic, Quart and Django build the view instance per request,
# so its `__init__` runs per request too.
ENDPOINT_BASES: Dict[str, Optional[FrozenSet[str]]] = {
    "starlette.endpoints.HTTPEndpoint": None,
    "starlette.endpoints.WebSocketEndpoint": None,
    "starlette.middleware.base.BaseHTTPMiddleware": frozenset({"dispatch"}),
    "aiohttp.web.View": HTTP_METHODS | {"__init__"},
    "aiohttp.web_urldispatcher.View": HTTP_METHODS | {"__init__"},
    "sanic.views.HTTPMethodView": HTTP_METHODS | {"__init__", "dispatch_request"},
    "quart.views.MethodView": HTTP_METHODS | {"__init__", "dispatch_request"},
    "quart.views.View": frozenset({"__init__", "dispatch_request"}),
    "django.views.View": HTTP_METHODS | {"__init__", "setup", "dispatch"},
    "django.views.generic.View": HTTP_METHODS | {"__init__", "setup", "dispatch"},
    "django.views.generic.base.View": HTTP_METHODS | {"__init__", "setup", "dispatch"},
    # Django REST framework and its async twin adrf: views, and viewsets' actions
    **{
        f"{module}.{name}": HTTP_METHODS | _VIEWSET_ACTIONS | {"__init__", "initial", "dispatch"}
        for module, names in (
            ("rest_framework.views", ("APIView",)), ("rest_framework.generics", ("GenericAPIView",)),
            ("rest_framework.viewsets", ("ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet")),
            ("adrf.views", ("APIView",)),
            ("adrf.viewsets", ("ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet")),
        )
        for name in names
    },
}

# Calls, by qualified name, that make a route of one of their arguments ->
# (position, keyword names) of the handler: `Route(path, endpoint)`,
# aiohttp's `web.get(path, handler)`, Django's `path(route, view)`.
_AIOHTTP_ROUTE_DEFS = {name: (1, ("handler",)) for name in ("get", "post", "put", "patch", "delete", "head", "view")}
_AIOHTTP_ROUTE_DEFS["route"] = (2, ("handler",))
ROUTE_FUNCTIONS: Dict[str, Tuple[int, Tuple[str, ...]]] = {
    "starlette.routing.Route": (1, ("endpoint",)),
    "starlette.routing.WebSocketRoute": (1, ("endpoint",)),
    "fastapi.routing.APIRoute": (1, ("endpoint",)),
    "fastapi.routing.APIWebSocketRoute": (1, ("endpoint",)),
    **{f"aiohttp.web.{name}": where for name, where in _AIOHTTP_ROUTE_DEFS.items()},
    **{f"aiohttp.web_routedef.{name}": where for name, where in _AIOHTTP_ROUTE_DEFS.items()},
    "django.urls.path": (1, ("view",)),
    "django.urls.re_path": (1, ("view",)),
}

# Methods of an app or router (or of its `.router`) that register a handler,
# per framework (the app kind's top-level module) -> (position, keyword names).
_STARLETTE_ADDERS = {"add_route": (1, ("endpoint", "route")), "add_websocket_route": (1, ("endpoint", "route"))}
_AIOHTTP_ADDERS = {
    name: (1, ("handler",)) for name in ("add_get", "add_post", "add_put", "add_patch", "add_delete", "add_head", "add_view")
}
ROUTE_ADDERS: Dict[str, Dict[str, Tuple[int, Tuple[str, ...]]]] = {
    "starlette": _STARLETTE_ADDERS,
    "fastapi": {
        **_STARLETTE_ADDERS,
        "add_api_route": (1, ("endpoint",)),
        "add_api_websocket_route": (1, ("endpoint",)),
    },
    "aiohttp": {**_AIOHTTP_ADDERS, "add_route": (2, ("handler",))},
    "sanic": {
        "add_route": (0, ("handler",)),
        "add_websocket_route": (0, ("handler",)),
        "register_middleware": (0, ("middleware",)),
    },
    "quart": {"add_url_rule": (2, ("view_func",)), "add_websocket": (2, ("view_func",))},
}
# Attributes of an app that hold its router (`app.router.add_get(...)`).
ROUTER_ATTRIBUTES: FrozenSet[str] = frozenset({"router"})

# App constructor arguments whose functions run per request, by app kind
# (aiohttp's `middlewares=[...]`, Litestar's request hooks).
_LITESTAR_REQUEST_ARGUMENTS = frozenset({"route_handlers", "before_request", "after_request", "after_response"})
REQUEST_ARGUMENTS: Dict[str, FrozenSet[str]] = {
    "aiohttp.Application": frozenset({"middlewares"}),
    "litestar.Litestar": _LITESTAR_REQUEST_ARGUMENTS,
    "litestar.Router": _LITESTAR_REQUEST_ARGUMENTS,
}
# Arguments (of any call) whose functions run at startup or shutdown: one
# function or a list of them (Litestar's `lifespan=[...]`).
STARTUP_ARGUMENTS: FrozenSet[str] = frozenset({"lifespan", "on_startup", "on_shutdown", "on_app_init"})
# Methods that register a startup or shutdown function -> (position, keyword names).
STARTUP_REGISTRARS: Dict[str, Tuple[int, Tuple[str, ...]]] = {
    "add_event_handler": (1, ("func",)),
    "register_listener": (0, ("listener",)),
}
# App signals (lists of functions): `app.on_startup.append(fn)` runs `fn` at
# startup; `app.on_response_prepare.append(fn)` before every response.
STARTUP_SIGNALS: FrozenSet[str] = frozenset({"on_startup", "on_shutdown", "on_cleanup", "cleanup_ctx"})
REQUEST_SIGNALS: FrozenSet[str] = frozenset({"on_response_prepare"})
SIGNAL_METHODS: FrozenSet[str] = frozenset({"append", "extend", "insert"})

# Frameworks whose views are plain functions with no registration in the same
# file (Django routes them in urls.py): in a module that imports one of these,
# a module-level `async def` whose first parameter is named as below is a view.
VIEW_MODULES: FrozenSet[str] = frozenset({"django", "ninja", "rest_framework", "adrf"})
VIEW_REQUEST_PARAMETERS: FrozenSet[str] = frozenset({"request"})

# Objects that live for one request (Quart's `g`): a handle stored on them,
# like one stored on the request itself, is built again for the next request.
REQUEST_GLOBALS: FrozenSet[str] = frozenset({"quart.g"})

# Frameworks that run a plain `def` route handler in a threadpool and serialise
# what it returns (so `async def` -> `def` is a fix there).
THREADPOOL_FRAMEWORKS: FrozenSet[str] = frozenset({"fastapi", "starlette"})

# Top-level modules of the frameworks: their objects get a kind in the model.
MODULES: FrozenSet[str] = frozenset(
    name.split(".")[0]
    for table in (APP_CLASSES, DEPENDENCY_MARKERS, ENDPOINT_BASES, ROUTE_FUNCTIONS, HANDLER_DECORATORS, VIEW_MODULES)
    for name in table
)
