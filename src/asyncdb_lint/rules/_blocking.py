"""What ADB301 and ADB302 share: finding blocking calls inside `async def`."""

from __future__ import annotations

from typing import Dict, Iterator, NamedTuple, Optional, Set, Tuple

import libcst as cst

from asyncdb_lint.fixes import UNSAFE, Fix
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import FunctionInfo, Scope
from asyncdb_lint.model.semantic import FunctionValue, SemanticModel
from asyncdb_lint.model.values import Extern, Pending

# How the code uses a call's value when the call cannot be a sync driver's:
# its result is awaited, entered with `async with`, iterated with `async for`
# or handed to `asyncio.gather`/`create_task` (the annotation said `Session`,
# the code says otherwise).
_ASYNC_USES = frozenset({"awaited", "async_with", "async_for", "scheduled"})


class BlockingCall(NamedTuple):
    call: cst.Call
    driver: lib.DbType
    message: str
    fix: Optional[Fix]


def blocking_calls(model: SemanticModel, family: str) -> Iterator[BlockingCall]:
    """Each call of ``family`` that waits on a sync driver in an ``async def``.

    One finding per (function, object the calls are made on): the first line
    of each connection, cursor or client that really waits on I/O, not every
    line, and not the calls that only build objects (a cursor, a `Session`, an
    engine, a client). A sync function offloaded to a thread - passed to
    `asyncio.to_thread`/`run_in_threadpool`/`loop.run_in_executor`..., or
    decorated with `@sync_to_async` - does not count.
    """
    reported: Set[Tuple[object, str]] = set()
    fixes: Dict[Scope, Optional[Fix]] = {}
    for call in model.calls:
        scope = model.scope_of[call]
        if not scope.is_async:
            continue
        function_scope = scope.function_scope
        driver = model.blocking_call(call)
        through = ""
        if driver is None:
            callee = model.value_of(call.func, scope)
            if not isinstance(callee, FunctionValue) or callee.info.is_async:
                continue
            inner = model.function_blocking_call(callee.info)
            if inner is None:
                continue
            driver = inner[1]
            through = f", which calls `{_short(model, inner[0].func)}()`"
        if driver.family != family:
            continue
        if model.usage_of(call).how in _ASYNC_USES:
            continue
        key = (function_scope, _receiver_root(model, call))
        if key in reported:
            continue
        reported.add(key)
        function = function_scope.function if function_scope is not None else None
        where = f"`async def {function.name}`" if function is not None else "an `async def`"
        if function_scope is not None and function_scope not in fixes:
            fixes[function_scope] = _plain_def_fix(model, function_scope)
        if driver.blocking:
            why = (
                f"{driver.library} is synchronous; use {driver.alternative}, or run it in a thread "
                "(`await asyncio.to_thread(...)`)"
            )
        else:  # the blocking form of an async library's object (Piccolo's `run_sync()`)
            why = f"it is {driver.library}'s synchronous form; {driver.alternative}"
        yield BlockingCall(
            call, driver, f"`{_short(model, call.func)}()`{through} blocks the event loop in {where}: {why}",
            fixes.get(function_scope) if function_scope is not None else None,
        )


def _plain_def_fix(model: SemanticModel, function_scope: Scope) -> Optional[Fix]:
    """`async def` -> `def` for a route handler that never awaits: FastAPI and
    Starlette run a plain `def` endpoint in their threadpool. Unsafe: whatever
    else calls the function, or decorates it, may expect a coroutine function."""
    info = function_scope.function
    if info is None or not info.is_async or info.is_generator or not model.is_request_handler(info):
        return None
    if not _never_awaits(info) or any(isinstance(model.value_of(call), Pending) for call in model.calls_in(function_scope)):
        return None
    return Fix(UNSAFE, "Make the route a plain `def`: FastAPI/Starlette run it in a threadpool").change(info.node, _plain_def)


def _plain_def(updated: cst.CSTNode) -> cst.CSTNode:
    if isinstance(updated, cst.FunctionDef) and updated.asynchronous is not None:
        return updated.with_changes(asynchronous=None)
    return updated


def _never_awaits(info: FunctionInfo) -> bool:
    """No `await`, `async for`, `async with` or async comprehension in the body
    itself (nested functions and classes are theirs)."""
    finder = _AwaitFinder()
    info.node.body.visit(finder)
    return not finder.found


class _AwaitFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found or isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        if isinstance(node, cst.Await) or getattr(node, "asynchronous", None) is not None:
            self.found = True
            return False
        return True


def _receiver_root(model: SemanticModel, call: cst.Call, depth: int = 0) -> str:
    """Which connection a call belongs to: `conn.cursor().execute()`, a cursor made
    from `conn`, and `conn = sqlite3.connect()` itself all share one root."""
    node: cst.BaseExpression = call.func
    while True:
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                return f"self.{node.attr.value}"
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            node = node.func
        else:
            break
    if isinstance(node, cst.Call):
        return f"call@{id(node)}"
    if not isinstance(node, cst.Name):
        return f"call@{id(call)}"
    scope = model.scope_of[call]
    if isinstance(model.value_of(node, scope), Extern):  # `sqlite3.connect()`: the call starts a connection
        return f"call@{id(call)}"
    # A local made from another connection object: follow it to its root.
    function_scope = scope.function_scope
    bindings = function_scope.bindings.get(node.value, []) if function_scope is not None else []
    if depth < 5 and len(bindings) == 1 and bindings[0].how in ("value", "enter"):
        source = bindings[0].node
        if isinstance(source, cst.Await):
            source = source.expression
        if isinstance(source, cst.Call):
            return _receiver_root(model, source, depth + 1)
    return node.value


def _short(model: SemanticModel, expr: cst.BaseExpression) -> str:
    code = model.module.code_for_node(expr)
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "..."
