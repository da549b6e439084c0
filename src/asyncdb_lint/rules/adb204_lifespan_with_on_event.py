"""ADB204: an app given `lifespan=` that also registers on_event handlers."""

from typing import Optional

import libcst as cst

from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.adb203_on_event import on_event_decorators
from asyncdb_lint.rules.base import Finding, Report, Rule


class LifespanIgnoresOnEvent(Rule):
    code = "ADB204"
    name = "on-event-ignored-by-lifespan"
    summary = "The app has a `lifespan=`, so its `on_event`/`add_event_handler` handlers never run."
    what_it_does = """
        Checks for startup/shutdown handlers registered with `on_event` or
        `add_event_handler` on an app (or router) that was also given
        `lifespan=`, and reports each such handler.
        """
    why_bad = """
        When an app has a lifespan, Starlette uses it instead of the startup and
        shutdown handler lists: the handlers are silently skipped. A database
        connected in such a handler is never connected, and every query fails
        with "DatabaseBackend is not running".
        """
    example = """
        from contextlib import asynccontextmanager

        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")

        @asynccontextmanager
        async def lifespan(app: FastAPI):
            yield

        app = FastAPI(lifespan=lifespan)

        @app.on_event("startup")
        async def connect():
            await database.connect()
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
        """

    def check(self, model, report: Report) -> None:
        for decorator, event, function in on_event_decorators(model):
            receiver = decorator.func.value  # type: ignore[attr-defined]
            if _has_lifespan(model, receiver):
                report(Finding(self.code, decorator, _message(function.name)))
        for call in model.calls:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "add_event_handler":
                receiver_value = model.value_of(func.value, model.scope_of[call])
                if isinstance(receiver_value, Obj) and receiver_value.type.app and _has_lifespan(model, func.value):
                    handler = model.module.code_for_node(call.args[1].value) if len(call.args) > 1 else "handler"
                    report(Finding(self.code, call, _message(handler)))


def _message(handler: str) -> str:
    return f"`{handler}` is registered as an event handler on an app that has `lifespan=`: it will never run; move it into the lifespan"


def _has_lifespan(model, receiver: cst.BaseExpression) -> bool:
    """The app (or router) name was built with a `lifespan=` argument."""
    construction = _constructor_call(model, receiver)
    return construction is not None and any(
        arg.keyword is not None and arg.keyword.value == "lifespan" for arg in construction.args
    )


def _constructor_call(model, receiver: cst.BaseExpression) -> Optional[cst.Call]:
    if not isinstance(receiver, cst.Name):
        return None
    scope = model.module_scope
    bindings = [b for b in scope.bindings.get(receiver.value, ()) if b.how == "value"]
    if len(bindings) == 1 and isinstance(bindings[0].node, cst.Call):
        return bindings[0].node
    return None
