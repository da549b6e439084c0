"""What we know about the web frameworks, as data: where requests run.

The request context (model/requests.py) asks these tables which functions run
once per request (route handlers, endpoint classes, middleware, dependency
providers) and which run once per process (lifespans, startup and shutdown
hooks). Adding a framework is a matter of adding rows here.

Plain data only: model/libraries.py turns the app types into the model's
``DbType`` rows (``app=True``), so this module imports nothing of the model.
"""

from __future__ import annotations

from typing import Dict, FrozenSet

# App and router types: their route decorators (``ROUTE_DECORATORS``) mark
# request handlers. kind -> label.
APP_TYPES: Dict[str, str] = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.APIRouter": "APIRouter",
    "starlette.Starlette": "Starlette",
    "starlette.Router": "Router",
}

# Qualified names of those classes -> kind.
APP_CLASSES: Dict[str, str] = {
    "fastapi.FastAPI": "fastapi.FastAPI",
    "fastapi.applications.FastAPI": "fastapi.FastAPI",
    "fastapi.APIRouter": "fastapi.APIRouter",
    "fastapi.routing.APIRouter": "fastapi.APIRouter",
    "starlette.applications.Starlette": "starlette.Starlette",
    "starlette.routing.Router": "starlette.Router",
}

# Decorator methods of an app or router that register a request handler.
ROUTE_DECORATORS: FrozenSet[str] = frozenset({
    "get", "post", "put", "patch", "delete", "options", "head", "trace",
    "api_route", "route", "websocket", "websocket_route",
})

# Dependency markers: `Depends(fn)` injects what `fn` returns or yields, per request.
DEPENDENCY_MARKERS: FrozenSet[str] = frozenset({
    "fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security",
})

# Base classes whose methods handle requests.
ENDPOINT_BASES: FrozenSet[str] = frozenset({
    "starlette.endpoints.HTTPEndpoint", "starlette.endpoints.WebSocketEndpoint",
})
# Base classes whose `dispatch` runs around every request.
MIDDLEWARE_BASES: FrozenSet[str] = frozenset({"starlette.middleware.base.BaseHTTPMiddleware"})
# Route objects whose second argument (or `endpoint=`) handles requests.
ROUTE_CLASSES: FrozenSet[str] = frozenset({
    "starlette.routing.Route", "starlette.routing.WebSocketRoute",
    "fastapi.routing.APIRoute", "fastapi.routing.APIWebSocketRoute",
})
# Methods of an app or router that register their second argument as a handler.
ROUTE_ADDERS: FrozenSet[str] = frozenset({"add_api_route", "add_route", "add_websocket_route", "add_api_websocket_route"})

# Top-level modules of the frameworks: their objects get a kind in the model.
MODULES: FrozenSet[str] = frozenset(
    name.split(".")[0] for table in (APP_CLASSES, DEPENDENCY_MARKERS, ENDPOINT_BASES, ROUTE_CLASSES) for name in table
)
