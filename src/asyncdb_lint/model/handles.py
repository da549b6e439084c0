"""Which calls build a DB handle (an engine, a pool, a ``Database``), and whether
the handle outlives the function that builds it (for ADB201)."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from asyncdb_lint.model import frameworks
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import FunctionInfo

# Decorators that make a function build its result once.
MEMOISING_DECORATORS = frozenset({
    "lru_cache", "cache", "functools.lru_cache", "functools.cache", "cached", "alru_cache",
    "async_lru.alru_cache", "cachetools.cached", "cached_property", "functools.cached_property",
})


def is_memoised(function: FunctionInfo) -> bool:
    return any(name in MEMOISING_DECORATORS for name in function.decorator_names())


def handle_label(model, call: cst.Call) -> Optional[str]:
    """How messages name the handle a call builds (``create_async_engine(...)``), if it builds one."""
    return lib.HANDLE_FACTORIES.get(model.qualname_of(call.func, model.scope_of[call]) or "")


def pool_instead(model, call: cst.Call) -> Optional[Tuple[str, str]]:
    """When the handle a call builds is a single connection (``asyncpg.connect()``),
    not a pool, an engine or a client that pools its own: how to create the
    library's pool instead, and how a request takes a connection from it."""
    kind = getattr(model.value_of(call), "kind", None)
    return lib.TYPES[kind].pool if kind in lib.TYPES else None


def kept_beyond_the_call(model, call: cst.Call, function) -> bool:
    """Memoisation: stored in a global, an attribute or a cache, or built under an `is None` guard."""
    for ancestor in model.ancestors(call):
        if ancestor is function.node:
            break
        if isinstance(ancestor, cst.If) and _is_cache_guard(ancestor.test):
            return True
        if isinstance(ancestor, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in ancestor.targets] if isinstance(ancestor, cst.Assign) else [ancestor.target]
            for target in targets:
                if isinstance(target, cst.Attribute) and _is_self(target.value, function):
                    continue  # lives as long as the object: per request if the object is
                if _per_request_holder(model, target, function):
                    continue  # `request.state.pool = ...`, `g.conn = ...`: gone with the request
                if isinstance(target, (cst.Attribute, cst.Subscript)):
                    return True
                if isinstance(target, cst.Name) and target.value in model.scope_of[call].function_scope.globals:
                    return True
    return False


def _per_request_holder(model, target: cst.BaseExpression, function) -> bool:
    """A target on the request (a parameter other than ``self``, such as
    ``request.ctx.pool``) or on a per-request global (Quart's ``g``)."""
    chain = []  # `request.ctx.pool` -> [request.ctx.pool, request.ctx]
    while isinstance(target, (cst.Attribute, cst.Subscript)):
        chain.append(target)
        target = target.value
    if not chain or not isinstance(target, cst.Name):
        return False
    if model.qualname_of(target) in frameworks.REQUEST_GLOBALS:
        return True
    params = [param.name.value for param in function.node.params.params]
    if function.owner is not None and params:
        params = params[1:]  # `self`/`cls`
    if target.value not in params:
        return False
    # `request.app.state.pool = ...` reaches the app, which outlives the request
    return not any(isinstance(part, cst.Attribute) and part.attr.value == "app" for part in chain)


def _is_self(expr: cst.BaseExpression, function) -> bool:
    params = function.node.params.params
    return isinstance(expr, cst.Name) and function.owner is not None and bool(params) and params[0].name.value == expr.value


def _is_cache_guard(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return True
    if isinstance(test, cst.Comparison):
        for target in test.comparisons:
            if isinstance(target.operator, (cst.Is, cst.NotIn, cst.In, cst.Equal)):
                return True
    if isinstance(test, cst.BooleanOperation):
        return _is_cache_guard(test.left) or _is_cache_guard(test.right)
    return False
