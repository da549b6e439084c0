"""ADB503 (off by default): several writes in one request handler outside a transaction."""

from typing import Optional

import libcst as cst

from asyncdb_lint.model.requests import request_context
from asyncdb_lint.model.strings import string_analysis
from asyncdb_lint.model.values import Obj
from asyncdb_lint.rules.base import Finding, Report, Rule

# Each statement commits on its own with these (no implicit session transaction).
_AUTOCOMMIT_KINDS = frozenset({"databases.Database", "databases.Connection", "asyncpg.Connection", "asyncpg.Pool"})
_WRITE_METHODS = frozenset({"execute", "execute_many", "executemany"})
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE")
_CORE_WRITES = frozenset({"insert", "update", "delete"})


class WritesOutsideTransaction(Rule):
    code = "ADB503"
    name = "writes-outside-transaction"
    summary = "Two or more writes in one request handler, outside a transaction (off by default)."
    what_it_does = """
        Checks request handlers (and the helpers they call) that run two or more
        write statements - `execute` of INSERT/UPDATE/DELETE text, or of a
        SQLAlchemy Core `insert()`/`update()`/`delete()` - on `databases` or
        asyncpg outside `async with ...transaction()` (or a
        `@database.transaction()` decorator), and reports each write after the
        first. SQLAlchemy sessions are not checked: they open a transaction
        implicitly and commit it with `commit()`.
        """
    why_bad = """
        Each statement commits on its own: when the second write fails, the
        first stays, and the data is left half-updated.
        """
    example = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI()

        @app.post("/transfer")
        async def transfer(amount: int):
            await database.execute("UPDATE accounts SET balance = balance - :a WHERE id = 1", values={"a": amount})
            await database.execute("UPDATE accounts SET balance = balance + :a WHERE id = 2", values={"a": amount})
        """
    use_instead = """
        from databases import Database
        from fastapi import FastAPI

        database = Database("postgresql://localhost/app")
        app = FastAPI()

        @app.post("/transfer")
        async def transfer(amount: int):
            async with database.transaction():
                await database.execute("UPDATE accounts SET balance = balance - :a WHERE id = 1", values={"a": amount})
                await database.execute("UPDATE accounts SET balance = balance + :a WHERE id = 2", values={"a": amount})
        """
    default_enabled = False

    def check(self, model, report: Report) -> None:
        context = request_context(model)
        strings = string_analysis(model)
        for function in context.per_request:
            if _decorated_with_transaction(function):
                continue
            writes = 0
            for call in model.calls_in(function.scope):
                if not _is_write(model, strings, call) or _in_transaction(model, call, function):
                    continue
                writes += 1
                if writes > 1:
                    report(Finding(
                        self.code, call,
                        f"write #{writes} in `{function.name}` outside a transaction: if it fails, the earlier "
                        "writes stay; wrap them in `async with ...transaction():`",
                    ))


def _is_write(model, strings, call: cst.Call) -> bool:
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _WRITE_METHODS or not call.args:
        return False
    scope = model.scope_of[call]
    receiver = model.value_of(func.value, scope)
    if not (isinstance(receiver, Obj) and receiver.kind in _AUTOCOMMIT_KINDS):
        return False
    query = call.args[0].value
    origin = strings.origin(query, scope)
    if origin is not None:
        return origin.text.lstrip().upper().startswith(_WRITE_WORDS)
    return _core_write(model, query, scope) is not None


def _core_write(model, expr: cst.BaseExpression, scope) -> Optional[str]:
    """`insert(t).values(...)`, `table.update().where(...)`, through names."""
    if isinstance(expr, cst.Name):
        bindings = [b for b in scope.bindings.get(expr.value, ()) if b.how == "value"]
        return _core_write(model, bindings[0].node, bindings[0].scope) if len(bindings) == 1 else None
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        if expr.func.attr.value in _CORE_WRITES:
            return expr.func.attr.value
        expr = expr.func.value
    if isinstance(expr, cst.Call):
        qualname = model.qualname_of(expr.func, scope) or ""
        if qualname.startswith("sqlalchemy") and qualname.rsplit(".", 1)[-1] in _CORE_WRITES:
            return qualname
    return None


def _in_transaction(model, call: cst.Call, function) -> bool:
    for ancestor in model.ancestors(call):
        if ancestor is function.node:
            return False
        if isinstance(ancestor, cst.With) and ancestor.asynchronous is not None:
            for item in ancestor.items:
                expr = item.item
                if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in (
                    "transaction", "begin", "begin_nested",
                ):
                    return True
    return False


def _decorated_with_transaction(function) -> bool:
    return any(name.endswith(".transaction") for name in function.decorator_names())
