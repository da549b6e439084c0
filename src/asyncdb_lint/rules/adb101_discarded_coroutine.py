"""ADB101: an async DB call whose coroutine is discarded."""

from asyncdb_lint.fixes import SAFE, Fix, add_await
from asyncdb_lint.model.values import Obj, Pending, is_lazy_query
from asyncdb_lint.rules.base import Finding, Report, Rule


class DiscardedCoroutine(Rule):
    code = "ADB101"
    name = "discarded-db-coroutine"
    summary = "An async database call is never awaited: its coroutine is thrown away."
    what_it_does = """
        Checks for calls of async database APIs (the drivers, `databases`,
        SQLAlchemy's asyncio API, the ORMs, Motor and `redis.asyncio`) inside
        an `async def` whose result is dropped: a bare statement, an assignment
        to `_`, or a local name nothing reads; and for an ORM's lazy query
        (`User.filter(...).delete()` in Tortoise, `Band.select()` in Piccolo)
        built and dropped without `await`.
        """
    why_bad = """
        Calling a coroutine function only creates a coroutine object. Unless it
        is awaited, the query never runs: the `INSERT` silently does nothing,
        the transaction is never committed, the connection never closed.
        Python only warns "coroutine was never awaited" at garbage collection,
        far from the line at fault, and often not at all in production logs.
        """
    example = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def create_note(text: str) -> None:
            database.execute("INSERT INTO notes (text) VALUES (:text)", values={"text": text})
        """
    use_instead = """
        from databases import Database

        database = Database("postgresql://localhost/app")

        async def create_note(text: str) -> None:
            await database.execute("INSERT INTO notes (text) VALUES (:text)", values={"text": text})
        """
    fix_safety = """
        Inserting `await` is safe inside an `async def` (offered by `--fix`).
        """

    def check(self, model, report: Report) -> None:
        for call in model.calls:
            value = model.value_of(call)
            if not _is_lost_if_dropped(value):
                continue
            if not model.scope_of[call].is_async:
                continue  # ADB105 covers code that can never await
            how = model.fate_of(call).how
            if how == "expected_to_raise" and not getattr(value, "evidence", False) and not is_lazy_query(value):
                how = "discarded"  # a known DB call must still be awaited inside `pytest.raises`
            if how != "discarded":
                continue  # (an untyped receiver there may be a test of calling it at all)
            report(Finding(self.code, call, _message(model, call, value), _fix(model, call, value)))


def _fix(model, call, value) -> Fix:
    if isinstance(value, Pending) and value.mode in ("await", "awaitable_cm"):
        return Fix(SAFE, "Add `await`").change(call, add_await(model.parent(call), call))
    if isinstance(value, Pending):
        return Fix.display_only("Consume it with `async for row in ...:`")
    if is_lazy_query(value):
        return Fix(SAFE, "Add `await`").change(call, add_await(model.parent(call), call))
    return Fix.display_only("`await` it (or use `async with`) where it is created")


def _is_lost_if_dropped(value) -> bool:
    if isinstance(value, Pending):
        return not value.user
    return isinstance(value, Obj) and value.type.lost_if_dropped


def _message(model, call, value) -> str:
    if is_lazy_query(value):
        return (
            f"`{model.code_label(call)}` builds a {value.type.library} query and drops it without `await`: "
            "the query never runs"
        )
    if isinstance(value, Obj):
        return f"`{value.type.label}` is created and dropped without `await`: it is never initialised"
    if value.mode == "aiter":
        return f"`{value.api}` is never iterated: the query never runs (use `async for`)"
    if value.starts_at_once:
        return (
            f"`{value.api}` is never awaited: it runs in the background, so its result and any error are lost "
            "and the code after it may run first"
        )
    if value.mode == "awaitable_cm":
        return f"`{value.api}` is never awaited or entered: it does nothing (use `await` or `async with`)"
    return f"`{value.api}` is never awaited: the coroutine is discarded and the query never runs"

