"""ADB105: an async DB call where it can never be awaited."""

from asyncdb_lint.fixes import UNSAFE, Fix, add_await, make_async
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.values import Obj, Pending, is_lazy_query
from asyncdb_lint.rules.base import Finding, Report, Rule

# What may legitimately happen to a coroutine in synchronous code: it is handed
# back to an async caller, to an event loop, or to something we cannot see.
_LOST = frozenset({"discarded", "subscripted", "attribute", "iterated", "truth", "operand", "consumed"})


class AsyncCallInSyncFunction(Rule):
    code = "ADB105"
    name = "db-coroutine-in-sync-function"
    summary = "An async database call is made in a plain `def` (or at module level), where it can never be awaited."
    what_it_does = """
        Checks for calls of async database APIs outside any `async def` whose
        coroutine is dropped or used as data. A plain `def` that *returns* the
        coroutine for its caller to await, or hands it to an event loop
        (`asyncio.run`, `loop.run_until_complete`, `create_task`), is fine.
        """
    why_bad = """
        A plain function cannot `await`, so the query never runs. This often
        comes from a sync FastAPI route (`def` instead of `async def`) or a
        helper that was converted from a sync driver.
        """
    example = """
        from sqlalchemy.ext.asyncio import AsyncSession

        def save(session: AsyncSession, item) -> None:
            session.add(item)
            session.commit()
        """
    use_instead = """
        from sqlalchemy.ext.asyncio import AsyncSession

        async def save(session: AsyncSession, item) -> None:
            session.add(item)
            await session.commit()
        """
    fix_safety = """
        Making the function `async def` and awaiting the call is unsafe: every
        caller of the function must now await it (offered by `--unsafe-fixes`).
        """

    def check(self, model, report: Report) -> None:
        for call in model.calls:
            value = model.value_of(call)
            if isinstance(value, Pending):
                if value.user:
                    continue
                api = value.api
            elif is_lazy_query(value):
                api = model.code_label(call)
            elif isinstance(value, Obj) and value.type.lost_if_dropped:
                api = f"{value.type.label}"
            else:
                continue
            scope = model.scope_of[call]
            if scope.is_async:
                continue
            fate = model.fate_of(call)
            returned_to_framework = fate.how in ("returned", "returned_as_data") and model.returns_as_data(fate)
            if fate.how not in _LOST and not returned_to_framework:
                continue
            if is_lazy_query(value) and fate.how != "discarded":
                continue  # chained on (`.where()`, `.run_sync()`), a subquery, `str(query)`: built to be used
            if isinstance(value, Pending) and value.mode == "awaitable_cm" and fate.how in ("consumed", "operand"):
                continue  # may be passed on to be entered elsewhere
            if isinstance(value, Pending) and value.mode == "aiter":
                continue  # ADB103 reports the loop
            function_scope = scope.function_scope
            where = "a plain `def`" if function_scope is not None else "module-level code"
            fix = Fix.display_only("Move the call into an `async def` and `await` it")
            if function_scope is not None and function_scope.kind == "function" and isinstance(value, Pending):
                fix = (
                    Fix(UNSAFE, "Make the function `async def` and `await` the call (its callers must await it)")
                    .change(call, add_await(model.parent(call), call))
                    .change(function_scope.node, make_async)
                )
            if is_lazy_query(value):
                # the query's own blocking way to run (Piccolo's `run_sync()`), if its library has one
                blocking = next(
                    (name for name, spec in value.type.methods.items() if lib.parse_spec(spec).mode == "block"), None
                )
                advice = f"run it with `.{blocking}()`, or " if blocking else ""
                message = (
                    f"`{api}` builds a {value.type.library} query in {where} and drops it, so it never runs: "
                    f"{advice}make the function `async def` and `await` it"
                )
            else:
                message = f"`{api}` is called in {where}, where it can never be awaited: make the function `async def` and `await` it"
            report(Finding(self.code, call, message, fix))
