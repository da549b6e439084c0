"""What ADB301 and ADB302 share: finding blocking calls inside `async def`."""

from __future__ import annotations

from typing import Iterator, Set, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.semantic import FunctionValue, SemanticModel


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


def _receiver_root(model: SemanticModel, call: cst.Call) -> str:
    """The name a chain of calls starts from: `conn` for `conn.cursor().execute()`."""
    node: cst.BaseExpression = call.func
    while True:
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                return f"self.{node.attr.value}"
            node = node.value
        elif isinstance(node, (cst.Call, cst.Subscript)):
            node = node.func if isinstance(node, cst.Call) else node.value
        else:
            break
    if isinstance(node, cst.Name):
        value = model.value_of(node, model.scope_of[call])
        from asyncdb_lint.model.values import Extern

        if isinstance(value, Extern):  # a module function: every connect call counts
            return f"{node.value}@{id(call)}"
        return node.value
    return f"@{id(call)}"


def _short(model: SemanticModel, expr: cst.BaseExpression) -> str:
    code = model.module.code_for_node(expr)
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "..."
