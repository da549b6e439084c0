"""ADB102: an async DB call's coroutine used as if it were the result."""

import libcst as cst

from asyncdb_lint.fixes import SAFE, Fix, add_await
from asyncdb_lint.model.values import Obj, Pending, is_lazy_query
from asyncdb_lint.rules.base import Finding, Report, Rule

# How each use reads in a message.
USE_WORDS = {
    "subscripted": "indexed",
    "attribute": "read as an object",
    "iterated": "iterated",
    "truth": "truth-tested",
    "operand": "used in an expression",
    "consumed": "passed to a function that reads it",
    "returned_as_data": "returned",
    "returned": "returned",
}
# An object that must be awaited or entered may still be passed on or returned
# (`stack.enter_async_context(pool.acquire())`); using it as the result is wrong.
AWAITABLE_CM_DATA_USES = frozenset({"subscripted", "attribute", "iterated", "truth"})


class CoroutineUsedAsData(Rule):
    code = "ADB102"
    name = "db-coroutine-used-as-data"
    summary = "The result of an async database call is used without `await`."
    what_it_does = """
        Checks for calls of async database APIs inside an `async def` whose
        un-awaited result is used as if it were the rows: indexed, iterated,
        truth-tested, read as an object, passed to a function that reads it
        (`len`, `list`, `jsonable_encoder`, a response class), iterated with
        `async for` (a coroutine is not an async iterable), or returned from
        the `async def` - directly or through a local name. An ORM's lazy query
        (`User.get(...)` in Tortoise, `Band.objects().get(...)` in Piccolo)
        read as its result, truth-tested or compared is reported too.
        """
    why_bad = """
        Without `await` the value is a coroutine object, not the rows: indexing
        it raises `TypeError` at runtime, `if row:` is always true, and a
        coroutine returned from an `async def` reaches the caller who awaited
        the function and gets a coroutine instead of data.
        """
    example = """
        import asyncpg

        async def user_name(pool: asyncpg.Pool, user_id: int) -> str:
            row = pool.fetchrow("SELECT name FROM users WHERE id = $1", user_id)
            return row["name"]
        """
    use_instead = """
        import asyncpg

        async def user_name(pool: asyncpg.Pool, user_id: int) -> str:
            row = await pool.fetchrow("SELECT name FROM users WHERE id = $1", user_id)
            return row["name"]
        """
    fix_safety = """
        Inserting `await` is safe when the name holding the coroutine is never
        awaited later (offered by `--fix`).
        """

    def check(self, model, report: Report) -> None:
        for call in model.calls:
            value = model.value_of(call)
            if is_lazy_query(value) and model.scope_of[call].is_async:
                _query_used_as_data(self.code, model, call, value, report)
                continue
            if not isinstance(value, Pending) or value.user or value.mode == "aiter":
                continue
            if not model.scope_of[call].is_async:
                continue  # ADB105 covers code that can never await
            fate = model.fate_of(call)
            how = fate.how
            if how == "async_for" and value.mode == "await" and not value.evidence:
                # `async for row in pool.fetch(q)`: a coroutine is not an async iterable
                report(Finding(
                    self.code, call,
                    f"`{value.api}` is iterated with `async for` without `await`: it is a coroutine, not its rows",
                    Fix(SAFE, "Add `await`").change(call, add_await(model.parent(call), call)),
                ))
                continue
            if how == "returned" and not model.returns_as_data(fate):
                continue
            if value.mode == "awaitable_cm" and how not in AWAITABLE_CM_DATA_USES:
                continue
            if how not in USE_WORDS:
                continue
            through = f" (through `{fate.name}`)" if fate.name else ""
            report(Finding(
                self.code, call,
                f"`{value.api}` is {USE_WORDS[how]}{through} without `await`: it is a coroutine, not its result",
                Fix(SAFE, "Add `await`").change(call, add_await(model.parent(call), call)),
            ))


def _query_used_as_data(code: str, model, call, value: Obj, report: Report) -> None:
    """An ORM's lazy query used as its result (`user = User.get(...)` then
    `user.name`); chaining on it (`.filter()`, `.run()`) is how it is built."""
    fate = model.fate_of(call)
    how = fate.how
    if how == "attribute":
        # `user.name` reads the result; a call on the query (`.sql()`, `.where()`) is its own API
        if not isinstance(fate.context, cst.Attribute) or isinstance(model.parent(fate.context), cst.Call):
            return
        if fate.context.attr.value in value.type.methods:
            return
    elif how in ("returned", "returned_as_data"):
        if not model.returns_as_data(fate):
            return
    elif how == "iterated":
        if value.type.async_iterable:
            return  # `for row in User.all()`: ADB103's
    elif how not in ("truth", "operand"):
        return  # indexing slices a Tortoise queryset; passed on, it may be a subquery or `str(query)`
    through = f" (through `{fate.name}`)" if fate.name else ""
    report(Finding(
        code, call,
        f"`{model.code_label(call)}` is {USE_WORDS[how]}{through} without `await`: it is a {value.type.library} "
        "query, not its result",
        Fix(SAFE, "Add `await`").change(call, add_await(model.parent(call), call)),
    ))
