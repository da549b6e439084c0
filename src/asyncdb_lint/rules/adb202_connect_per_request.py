"""ADB202: connect()/disconnect() of a shared handle inside a request."""

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.requests import request_context
from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.base import Finding, Report, Rule

_LIFECYCLE_METHODS = frozenset({"connect", "disconnect"})


class ConnectPerRequest(Rule):
    code = "ADB202"
    name = "connect-per-request"
    summary = "A shared `Database` is connected or disconnected inside a request handler or dependency."
    what_it_does = """
        Checks for `connect()` and `disconnect()` of a shared `databases.Database`
        (module-level, imported, on `app.state`, injected) in code that runs per
        request. A call guarded by `if not database.is_connected:` is fine, and
        so is a handle the function built itself (ADB201 reports that).
        """
    why_bad = """
        Connecting opens a new pool for every request, and disconnecting closes
        the shared pool under every other request that is using it: concurrent
        requests fail with "DatabaseBackend is not running" or connection
        errors. Connect once in the lifespan.
        """
    example = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI()

        @app.get("/notes")
        async def notes():
            await database.connect()
            rows = await database.fetch_all("SELECT * FROM notes")
            await database.disconnect()
            return rows
        """
    use_instead = """
        from contextlib import asynccontextmanager

        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")

        @asynccontextmanager
        async def lifespan(app: FastAPI):
            await database.connect()
            yield
            await database.disconnect()

        app = FastAPI(lifespan=lifespan)

        @app.get("/notes")
        async def notes():
            return await database.fetch_all("SELECT * FROM notes")
        """

    def check(self, model, report: Report) -> None:
        context = request_context(model)
        for call in model.calls:
            func = call.func
            if not isinstance(func, cst.Attribute) or func.attr.value not in _LIFECYCLE_METHODS:
                continue
            scope = model.scope_of[call]
            function_scope = scope.function_scope
            function = function_scope.function if function_scope is not None else None
            if function is None or not context.is_per_request(function):
                continue
            receiver = model.value_of(func.value, scope)
            if not (isinstance(receiver, Obj) and receiver.kind in lib.CONNECTED_AT_STARTUP):
                continue
            if _built_here(model, func.value, function_scope) or _guarded(model, call, func.value, function):
                continue
            report(Finding(
                self.code, call,
                f"`{func.attr.value}()` of a shared `Database` in `{function.name}`, which runs per request: "
                "connect and disconnect once, in the lifespan",
            ))


def _built_here(model, receiver: cst.BaseExpression, function_scope) -> bool:
    """The function built this handle itself (then connecting it is its business)."""
    if not isinstance(receiver, cst.Name):
        return False
    return any(
        binding.how in ("value", "enter") and isinstance(binding.node, cst.Call)
        for binding in function_scope.bindings.get(receiver.value, ())
    )


def _guarded(model, call: cst.Call, receiver: cst.BaseExpression, function) -> bool:
    """Inside `if not db.is_connected:` (or any test of `is_connected`)."""
    for ancestor in model.ancestors(call):
        if ancestor is function.node:
            return False
        if isinstance(ancestor, (cst.If, cst.While)) and "is_connected" in model.module.code_for_node(ancestor.test):
            return True
    return False
