"""What ADB301 and ADB302 share: finding blocking calls inside `async def`."""

from __future__ import annotations

from typing import Iterator, Set, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.semantic import FunctionValue, SemanticModel
from asyncdb_lint.model.values import Extern


def blocking_calls(model: SemanticModel, family: str) -> Iterator[Tuple[cst.Call, lib.DbType, str]]:
    """(call, driver type, message) for each blocking call of ``family`` in an ``async def``.

    One finding per (function, object the calls are made on): the first
    blocking line of each connection, cursor or client, not every line.
    """
    reported: Set[Tuple[object, str]] = set()
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
        key = (function_scope, _receiver_root(model, call))
        if key in reported:
            continue
        reported.add(key)
        function = function_scope.function if function_scope is not None else None
        where = f"`async def {function.name}`" if function is not None else "an `async def`"
        yield call, driver, (
            f"`{_short(model, call.func)}()`{through} blocks the event loop in {where}: "
            f"{driver.library} is synchronous; use {driver.alternative}, or run it in a thread "
            "(`await asyncio.to_thread(...)`)"
        )


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
