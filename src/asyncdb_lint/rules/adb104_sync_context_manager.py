"""ADB104: an async context manager entered with `with`, or a transaction dropped."""

import libcst as cst

from asyncdb_lint.fixes import SAFE, Fix, make_async
from asyncdb_lint.model.values import Obj, Pending, is_async_context_manager
from asyncdb_lint.rules.base import Finding, Report, Rule


class SyncWithOfAsyncContextManager(Rule):
    code = "ADB104"
    name = "sync-with-of-db-context-manager"
    summary = "An async database context manager is used with `with`, or a transaction is created and dropped."
    what_it_does = """
        Checks for `with` statements over async context managers of the DB
        libraries - `databases`' `transaction()` and `connection()`, asyncpg's
        `pool.acquire()` and `transaction()`, SQLAlchemy's `engine.connect()`,
        `engine.begin()` and sessions, `aiosqlite.connect()`, psycopg's
        `transaction()` and pool `connection()`, the pools of aiomysql and
        aiopg - and for a
        `transaction()` (or `engine.begin()`) that is created and dropped.
        """
    why_bad = """
        An async context manager has `__aenter__`/`__aexit__`, not `__enter__`/
        `__exit__`: `with` raises `TypeError` (or `AttributeError: __enter__`).
        A transaction object that is never entered never begins: the statements
        after it run outside any transaction and nothing is rolled back on error.
        """
    example = """
        import asyncpg

        async def transfer(pool: asyncpg.Pool) -> None:
            with pool.acquire() as connection:
                connection.transaction()
                await connection.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
        """
    use_instead = """
        import asyncpg

        async def transfer(pool: asyncpg.Pool) -> None:
            async with pool.acquire() as connection:
                async with connection.transaction():
                    await connection.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
        """
    fix_safety = """
        Turning `with` into `async with` is safe inside an `async def` when every
        item of the statement is an async context manager (offered by `--fix`).
        """

    def check(self, model, report: Report) -> None:
        for statement in model.withs:
            if statement.asynchronous is not None or model.expects_raise(statement):
                continue  # (inside `pytest.raises`/`assertRaises`: a test of that very mistake)
            scope = model.scope_of[statement]
            values = [model.value_of(item.item, scope) for item in statement.items]
            fixable = scope.is_async and all(is_async_context_manager(value) for value in values)
            for item, value in zip(statement.items, values):
                if is_async_context_manager(value):
                    fix = (
                        Fix(SAFE, "Use `async with`").change(statement, make_async) if fixable
                        else Fix.display_only("Use `async with` (in an `async def`, for async context managers only)")
                    )
                    report(Finding(
                        self.code, item.item,
                        f"{_describe(model, item.item, value)} is an async context manager: use `async with`, not `with`",
                        fix,
                    ))
        for call in model.calls:
            value = model.value_of(call)
            if isinstance(value, Obj) and value.type.must_enter and model.fate_of(call).how == "discarded":
                report(Finding(
                    self.code, call,
                    f"`{model.api_label(call)}` is created and dropped, so it never begins: "
                    f"use `async with {model.module.code_for_node(call)}:`",
                ))


def _describe(model, expr, value) -> str:
    if isinstance(expr, cst.Call):
        return f"`{model.api_label(expr)}`"
    if isinstance(value, Pending):
        return f"`{value.api}`"
    return f"`{model.module.code_for_node(expr)}` (a `{value.type.label}`)"
