"""ADB102: an async DB call's coroutine used as if it were the result."""

from asyncdb_lint.fixes import SAFE, Fix, add_await
from asyncdb_lint.model.values import Pending
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
        (`len`, `list`, `jsonable_encoder`, a response class), or returned from
        the `async def` - directly or through a local name.
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
            if not isinstance(value, Pending) or value.user or value.mode == "aiter":
                continue
            if not model.scope_of[call].is_async:
                continue  # ADB105 covers code that can never await
            fate = model.fate_of(call)
            how = fate.how
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
