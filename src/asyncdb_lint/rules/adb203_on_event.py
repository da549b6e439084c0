"""ADB203: `@app.on_event("startup"/"shutdown")`, deprecated by FastAPI."""

import libcst as cst

from asyncdb_lint.fixes import Fix
from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules._lifespan import lifespan_fix
from asyncdb_lint.rules.base import Finding, Report, Rule


def on_event_decorators(model):
    """(decorator call, event name, function) for each `@app.on_event(...)` of an app or router."""
    for function in model.functions.values():
        outer = function.scope.parent or model.module_scope
        for decorator in function.node.decorators:
            expr = decorator.decorator
            if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
                continue
            if expr.func.attr.value != "on_event" or not expr.args:
                continue
            receiver = model.value_of(expr.func.value, outer)
            if not (isinstance(receiver, Obj) and receiver.type.app):
                continue
            event = expr.args[0].value
            name = event.evaluated_value if isinstance(event, cst.SimpleString) else None
            yield expr, name, function


class OnEventDeprecated(Rule):
    code = "ADB203"
    name = "deprecated-on-event"
    deprecated_api = True
    summary = '`@app.on_event("startup")`/`("shutdown")` is deprecated: use a `lifespan`.'
    what_it_does = """
        Checks for startup and shutdown handlers registered with the
        `on_event` decorator of a FastAPI (or Starlette) app or router.
        """
    why_bad = """
        FastAPI deprecated `on_event` in favour of a `lifespan` async context
        manager, which keeps setup and teardown together (the pool opened in
        startup is closed by the same function), can hand state to requests, and
        is the only hook that still runs when a `lifespan=` is also given
        (see ADB204).
        """
    example = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI()

        @app.on_event("startup")
        async def startup():
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
    fix_safety = """
        Rewriting the handlers into one `lifespan` is offered as an unsafe fix:
        the order of startup work and error handling can change.
        """

    def check(self, model, report: Report) -> None:
        found = [(d, e, f) for d, e, f in on_event_decorators(model) if e in ("startup", "shutdown")]
        by_app = {}
        for decorator, event, function in found:
            receiver = decorator.func.value
            if isinstance(receiver, cst.Name):
                by_app.setdefault(receiver.value, []).append((event, function))
        for decorator, event, function in found:
            receiver = decorator.func.value
            fix = lifespan_fix(model, receiver.value, by_app[receiver.value]) if isinstance(receiver, cst.Name) else None
            report(Finding(
                self.code, decorator,
                f'`on_event("{event}")` is deprecated: move `{function.name}` into a `lifespan` '
                "async context manager passed to the app",
                fix or Fix.display_only("Move the handler into a `lifespan` async context manager"),
            ))
