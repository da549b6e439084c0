"""ADB205: a module-level `Database` that nothing in the project connects."""

from typing import List

import libcst as cst

from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.base import Finding, Report, Rule

_DATABASE = "databases.Database"


class NeverConnected(Rule):
    code = "ADB205"
    name = "database-never-connected"
    summary = "A module-level `databases.Database` is never connected anywhere in the project."
    what_it_does = """
        Checks for a `Database(...)` built at module level when no file of the
        linted project connects a `Database`: no `connect()` call or reference
        (`on_startup=[database.connect]`, a lifespan), no `async with
        database:`, and no `Database` handed to other code that might connect
        it. It needs the whole tree: it stays silent when only some files are
        linted (pre-commit batches, the flake8 plugin).
        """
    why_bad = """
        A `Database` that is never connected fails on its first query with
        "DatabaseBackend is not running" - in production, on the first request,
        often after a refactoring moved the startup hook away.
        """
    example = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI()

        @app.get("/notes")
        async def notes():
            return await database.fetch_all("SELECT * FROM notes")
        """
    use_instead = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI(on_startup=[database.connect], on_shutdown=[database.disconnect])

        @app.get("/notes")
        async def notes():
            return await database.fetch_all("SELECT * FROM notes")
        """
    project_rule = True

    def check(self, model, report: Report) -> None:
        if _connects_a_database(model):
            return
        for binding_list in model.module_scope.bindings.values():
            for binding in binding_list:
                node = binding.node
                if binding.how == "value" and isinstance(node, cst.Call):
                    value = model.value_of(node, model.module_scope)
                    if isinstance(value, Obj) and value.kind == _DATABASE:
                        report(Finding(
                            self.code, node,
                            "this `Database` is never connected anywhere in the project: connect it in the "
                            "app's lifespan (or `on_startup=[database.connect]`)",
                        ))

    def project_facts(self, model) -> bool:
        return _connects_a_database(model)

    def keep_project_findings(self, facts: List[object], complete: bool) -> bool:
        return complete and not any(facts)


def _connects_a_database(model) -> bool:
    """Any sign that this file connects a Database, or hands one to code that might."""
    for attribute in model.attributes:
        if attribute.attr.value in ("connect", "__aenter__") and _is_database(model, attribute.value):
            return True
    for statement in model.withs:
        if statement.asynchronous is not None:
            scope = model.scope_of[statement]
            if any(_is_database(model, item.item, scope) for item in statement.items):
                return True
    for call in model.calls:
        func = call.func
        scope = model.scope_of[call]
        if isinstance(func, cst.Attribute) and isinstance(model.value_of(func.value, scope), Obj):
            continue  # a method of a DB object: not an escape
        for arg in call.args:
            if isinstance(arg.value, (cst.Name, cst.Attribute)) and _is_database(model, arg.value, scope):
                return True  # handed to code we cannot see, which may connect it
    return False


def _is_database(model, expr, scope=None) -> bool:
    value = model.value_of(expr, scope)
    return isinstance(value, Obj) and value.kind == _DATABASE
