"""What the code itself says of a receiver the evaluator cannot follow.

Real code leaves most receivers untyped: ``self.db``, a ``conn`` parameter,
``ctx.conn``. When ``value_of`` has nothing for the receiver of a call made in
an ``async def``, three kinds of evidence still say the call returns a coroutine:

- **the code's own awaits**: the same method - one an async DB library has -
  on the same receiver is awaited (or entered with ``async with``, iterated
  with ``async for``, or handed to ``asyncio.gather``...) elsewhere: in the same
  function for a local name, in any method of the class for ``self.x``,
  anywhere in the module for a module-level name; and under the same spelling
  in another function of the module for a parameter, an ``async with ... as``
  name or ``self.x``;
- **the other methods awaited on the same receiver**: when every async DB
  type that has them all says this method is async too (``await
  self.session.get(...)`` elsewhere makes ``self.session.commit()`` a
  coroutine, not ``self.session.add()``);
- **a method name only async DB libraries have** (``fetchrow``,
  ``fetch_one``, ``execute_fetchall``...), in a package that imports that
  library.

A plain ``def`` calling the same method without ``await`` is a sync twin
(libraries that ship both APIs), so the evidence is void there and for that
receiver; so is the evidence for a receiver the code calls with ``await``
in one branch of an ``if``/``else`` and without in the other, anywhere
(``if isinstance(engine, AsyncEngine): await ... else: ...``), or enters with
a sync ``with``. A receiver the evaluator knows to be something else (a
project class, another library's object, a mock) never gets here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import Scope, dotted_name
from asyncdb_lint.model.values import Pending, Value

_PREFERENCE = ("await", "awaitable_cm", "aiter")  # a receiver awaited once and entered once: a coroutine

Key = Tuple[object, ...]

# Method names async DB objects share with everyday objects (dicts, HTTP
# clients, files, locks): a name spelled alike in another function is no
# evidence for these; the same variable awaited still is.
_EVERYDAY_NAMES = frozenset(
    "get delete close start reset merge refresh remove release connection invalidate explain "
    "forward interrupt backup prepare cursor acquire begin set_type_codec".split()
)


class EvidenceQuestions:
    """Evidence for untyped receivers (mixed into :class:`SemanticModel`)."""

    def call_by_evidence(self, call: cst.Call, scope: Scope) -> Optional[Value]:
        """What ``receiver.method(...)`` returns when only the code's own use says so."""
        found = self._call_by_evidence(call, scope)
        if found is not None:
            # an ORM's `Model.filter()`/`.all()`: awaited elsewhere, yet a query to chain on, not a coroutine
            builders = _query_builders().get(call.func.attr.value, ())  # type: ignore[attr-defined]
            if any(self.uses_library(library) for library in builders):
                return None
        return found

    def _call_by_evidence(self, call: cst.Call, scope: Scope) -> Optional[Value]:
        func = call.func
        if not isinstance(func, cst.Attribute) or not scope.is_async:
            return None
        method = func.attr.value
        keys = self._receiver_keys(func.value, scope)
        if keys is None:
            return None
        strong, weak = keys
        table = self._await_evidence()
        api = f"{self.module.code_for_node(func)}()"
        unique = lib.UNIQUE_ASYNC_METHODS.get(method)
        kind = lib.parse_spec(unique[1]).kind if unique else None
        for key in (strong, weak) if method in _async_method_names() else ():
            if key is None or (key, method) in table.sync_twins or (key is weak and method in _EVERYDAY_NAMES):
                continue
            if self._twin_branches(table, key):
                continue
            modes = {mode for other, mode in table.awaited.get((key, method), ()) if not self._exclusive(call, other)}
            if modes:
                mode = next(m for m in _PREFERENCE if m in modes)
                if mode == "awaitable_cm" and not lib.opens_async_context(method):
                    # only ever entered elsewhere: an async context manager, but maybe one that works
                    # at once and has methods of its own (Motor's `start_transaction()`, a change
                    # stream) - not something that does nothing until awaited (`acquire()`)
                    return None
                return Pending(mode, kind if mode == "await" else None, api, evidence=True)
        if (strong, method) in table.sync_twins or self._twin_branches(table, strong):
            return None
        typed = _by_what_else_is_awaited(table.awaited_methods.get(strong, ()), method, self.file_uses_library)
        if typed is not None:
            return Pending(typed.mode, typed.kind, api, evidence=True)
        if unique and self.uses_library(unique[0]):
            result = lib.parse_spec(unique[1])
            return Pending(result.mode, result.kind, api, evidence=True)
        return None

    def uses_library(self, library: str) -> bool:
        """Whether this file, or the package it belongs to, imports an async DB library."""
        prefixes = lib.ASYNC_LIBRARY_IMPORTS.get(library, ())
        memo = self.__dict__.setdefault("_uses_library", {})
        if library not in memo:
            memo[library] = bool(prefixes) and self._imports_any(prefixes)
        return memo[library]

    def file_uses_library(self, library: str) -> bool:
        """Whether this file itself imports an async DB library."""
        return any(_matches(module, lib.ASYNC_LIBRARY_IMPORTS.get(library, ())) for module in self.imported_modules)

    def _imports_any(self, prefixes: Tuple[str, ...]) -> bool:
        if any(_matches(module, prefixes) for module in self.imported_modules):
            return True
        if self.path is None:
            return False
        return any(_matches(module, prefixes) for module in self.index.package_imports(self.path))

    # ---------------------------------------------------------------- internals
    def _receiver_keys(self, expr: cst.BaseExpression, scope: Scope) -> Optional[Tuple[Optional[Key], Optional[Key]]]:
        """(strong, weak) identities of a receiver ``name.attr...``.

        Strong: the same variable - anchored at the class for ``self``/``cls``,
        at the scope that binds the name otherwise. Weak: the same spelling, for
        a parameter, an ``async with ... as`` name or a local bound by awaiting a
        call that opens a handle (``await pool.acquire()``) of some function, or
        an attribute of ``self`` in any class of the module.
        """
        path = []
        while isinstance(expr, cst.Attribute):
            path.append(expr.attr.value)
            expr = expr.value
        if not isinstance(expr, cst.Name):
            return None
        name = expr.value
        home = self.binding_scope(name, scope)
        if home is None or any(b.how == "enter" and b.data == "sync" for b in home.bindings[name]):
            return None  # unknown, or entered with a sync `with`: the code says it is not async
        attrs = tuple(reversed(path))
        owners = {id(b.data) for b in home.bindings[name] if b.how in ("instance", "classref")}
        if owners:  # `self.db` in sibling classes of the module (test cases sharing a base)
            return ("class", owners.pop(), attrs), (("self", attrs) if attrs else None)
        strong: Key = ("scope", id(home), name, attrs)
        # A parameter is nothing but its name, and `async with ... as conn` or
        # `conn = await pool.acquire()` names a connection or session; a local
        # bound otherwise holds what some other call gave (a sync `Result` from
        # `await session.execute()`...).
        nameless = home.kind in ("function", "lambda") and all(
            b.how == "param" or (b.how == "enter" and b.data == "async") or _opens_handle(b.node)
            for b in home.bindings[name]
        )
        weak: Optional[Key] = ("spelling", name, attrs) if nameless else None
        return strong, weak

    def _await_evidence(self) -> "_AwaitTable":
        table = self.__dict__.get("_await_table")
        if table is None:
            table = self.__dict__["_await_table"] = _AwaitTable()
            for call in self.calls:
                func = call.func
                if not isinstance(func, cst.Attribute):
                    continue
                scope = self.scope_of[call]
                keys = self._receiver_keys(func.value, scope)
                if keys is None:
                    continue
                method = func.attr.value
                mode = self._async_use(call)
                if mode is not None and self.expects_raise(call, of=_MISUSE_ERRORS):
                    continue  # `with pytest.raises(TypeError): await x.f()`: a test that it is *not* awaitable
                for key in keys:
                    if key is None:
                        continue
                    if mode is not None:
                        table.awaited[(key, method)].append((call, mode))
                        table.awaited_methods[key].add(method)
                        table.awaited_on[key].append(call)
                    elif scope.is_async:
                        table.unawaited_on[key].append(call)
                    elif not scope.is_async and scope.function_scope is not None:
                        table.sync_twins.add((key, method))
        return table


    def _async_use(self, call: cst.Call) -> Optional[str]:
        """How the code right around a call shows it gives something async.

        Read off the syntax alone: evaluating names here could come back to
        this table while it is being built.
        """
        parent = self.parents.get(call)
        if isinstance(parent, cst.Await):
            return "await"
        if isinstance(parent, cst.WithItem):
            statement = self.parents.get(parent)
            return "awaitable_cm" if isinstance(statement, cst.With) and statement.asynchronous else None
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is call:
            return "aiter" if parent.asynchronous else None
        if isinstance(parent, cst.Arg):
            runner = self.parents.get(parent)
            name = dotted_name(runner.func) if isinstance(runner, cst.Call) else None
            if name and (name in lib.COROUTINE_RUNNERS or name.rsplit(".", 1)[-1] in lib.COROUTINE_RUNNER_METHODS):
                return "await"
        return None

    def _exclusive(self, one: cst.CSTNode, other: cst.CSTNode) -> bool:
        """Whether two nodes sit in different branches of one ``if``/``else``
        (``if isinstance(x, AsyncEngine): await ... else: ...``): a sync twin."""
        branch_of: Dict[int, cst.CSTNode] = {}
        child = one
        for ancestor in self.ancestors(one):
            branch_of[id(ancestor)] = child
            child = ancestor
        child = other
        for ancestor in self.ancestors(other):
            if id(ancestor) in branch_of:
                if isinstance(ancestor, (cst.If, cst.IfExp)):
                    mine = branch_of[id(ancestor)]
                    return mine is not child and ancestor.test not in (mine, child)
                return False
            child = ancestor
        return False

    def _twin_branches(self, table: "_AwaitTable", receiver: Key) -> bool:
        """Whether the module calls methods of this receiver with ``await`` in one
        branch of an ``if`` and without in the other: code written for both a sync
        and an async object."""
        known = table.twin_branches.get(receiver)
        if known is None:
            known = table.twin_branches[receiver] = any(
                self._exclusive(plain, awaited)
                for plain in table.unawaited_on.get(receiver, ())
                for awaited in table.awaited_on.get(receiver, ())
            )
        return known

    def awaited_receiver(self, name: str, scope: Scope) -> bool:
        """Whether the code awaits, enters or iterates asynchronously a call on the name bound in ``scope``."""
        table = self._await_evidence()
        key: Key = ("scope", id(scope), name, ())
        return any(k == key for k, _ in table.awaited)


def _opens_handle(node: Optional[cst.CSTNode]) -> bool:
    """``await x.acquire()``, ``await connect(...)``: a call that opens a DB handle (HANDLE_OPENERS)."""
    if not isinstance(node, cst.Await) or not isinstance(node.expression, cst.Call):
        return False
    name = dotted_name(node.expression.func)
    return name is not None and name.rsplit(".", 1)[-1] in lib.HANDLE_OPENERS


def _matches(module: str, prefixes: Tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


class _AwaitTable:
    def __init__(self) -> None:
        self.awaited: Dict[Tuple[Key, str], List[Tuple[cst.Call, str]]] = defaultdict(list)
        self.sync_twins: Set[Tuple[Key, str]] = set()
        self.awaited_methods: Dict[Key, Set[str]] = defaultdict(set)
        self.awaited_on: Dict[Key, List[cst.Call]] = defaultdict(list)
        self.unawaited_on: Dict[Key, List[cst.Call]] = defaultdict(list)  # in `async def`s
        self.twin_branches: Dict[Key, bool] = {}


def _by_what_else_is_awaited(awaited: Set[str], method: str, uses_library) -> Optional[lib.CallResult]:
    """What ``method`` returns on a receiver the code awaits other methods of.

    The async DB types, of libraries the file imports, that have every
    awaited method (as an async one) and ``method`` are the candidates; when they all say ``method`` is async, in
    one way, so is this call. ``await self.session.get(...)`` and ``await
    self.session.flush()`` leave the async sessions; their ``commit()`` is a
    coroutine, their ``add()`` is not.
    """
    if not awaited:
        return None
    results = set()
    for db_type in lib.TYPES.values():
        if db_type.blocking or db_type.by_hierarchy or method not in db_type.methods or not uses_library(db_type.library):
            continue
        specs = [db_type.methods.get(name) for name in awaited]
        if all(spec is not None and lib.parse_spec(spec).mode in _PREFERENCE for spec in specs):
            results.add(lib.parse_spec(db_type.methods[method]))
    modes = {result.mode for result in results}
    if len(modes) != 1 or not modes <= set(_PREFERENCE):
        return None
    kinds = {result.kind for result in results}
    return lib.CallResult(modes.pop(), kinds.pop() if len(kinds) == 1 else None)


# What awaiting or entering something of the wrong kind raises.
_MISUSE_ERRORS = frozenset({"TypeError", "AttributeError"})


@lib.derived_from_types
def _query_builders() -> Dict[str, FrozenSet[str]]:
    """Method names that return a lazy, awaitable query on some ORM type -> those ORMs."""
    found: Dict[str, Set[str]] = defaultdict(set)
    for db_type in lib.TYPES.values():
        for method, spec in db_type.methods.items():
            kind = lib.parse_spec(spec).kind
            if kind in lib.TYPES and lib.TYPES[kind].query:
                found[method].add(db_type.library)
    return {method: frozenset(libraries) for method, libraries in found.items()}


@lib.derived_from_types
def _async_method_names() -> FrozenSet[str]:
    """Every method name some async DB type has (custom types may be added at start-up)."""
    return frozenset(
        method
        for db_type in lib.TYPES.values() if not db_type.blocking and not db_type.by_hierarchy
        for method, spec in db_type.methods.items()
        if lib.parse_spec(spec).mode in ("await", "awaitable_cm", "aiter")
    )
