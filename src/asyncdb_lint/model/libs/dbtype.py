"""The record every library table is made of: one DB object type of one library.

The result spec strings of ``methods`` are described in model/libraries.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Mapping, Optional, Tuple


@dataclass(frozen=True)
class DbType:
    """One DB object type of one library."""

    kind: str
    label: str  # how messages name it: "Database", "AsyncSession"
    library: str
    methods: Mapping[str, str] = field(default_factory=dict)
    awaits_to: Optional[str] = None  # `await obj` gives this kind
    enters_to: Optional[str] = None  # `async with obj as x` gives this kind
    async_iterable: bool = False  # `async for row in obj`
    must_enter: bool = False  # a context manager that does nothing unless entered
    lost_if_dropped: bool = False  # creating it and dropping it does nothing
    query: bool = False  # a lazy query object: it runs when awaited (Tortoise's QuerySet, Piccolo's queries)
    called: Optional[str] = None  # result spec of `obj(...)` (a session factory)
    app: bool = False  # an ASGI app or router: its route decorators mark request handlers
    blocking: bool = False  # a sync driver object: calls on it block the event loop
    with_to: Optional[str] = None  # `with obj as x` gives this kind (sync drivers)
    attribute_kind: Optional[str] = None  # `obj.name` gives this kind (pymongo's client.db)
    item_kind: Optional[str] = None  # `obj["name"]` gives this kind
    attributes: Mapping[str, str] = field(default_factory=dict)  # `obj.name` -> kind, for named attributes (ormar's `objects`)
    family: str = ""  # the rule family for blocking types: "driver" (ADB301) or "sqlalchemy" (ADB302)
    alternative: str = ""  # what to use instead, for messages
    default_method: Optional[str] = None  # result spec of methods not listed (in-house wrappers, redis commands)
    row: bool = False  # one result row (fetch_one/fetchrow)
    rows: bool = False  # a list of rows (fetch_all/fetch)
    lazy: bool = False  # a blocking type whose constructor does no I/O: it connects on first use
    # A single connection: how to create the library's pool instead, and how a
    # request takes a connection from it (for ADB201's advice).
    pool: Optional[Tuple[str, str]] = None
    # Methods whose call starts at once (Motor's futures run on a thread pool):
    # dropping one loses its result and its errors, not the operation.
    eager: FrozenSet[str] = frozenset()
    # Known only through a user's class hierarchy (an ORM's model class): an
    # untyped receiver is never taken for it, whatever its methods' names.
    by_hierarchy: bool = False


def same(names: str, spec: str) -> Dict[str, str]:
    """The same result spec for several method names."""
    return {name: spec for name in names.split()}


@dataclass
class Family:
    """The tables of one family of libraries, merged into model/libraries.py."""

    types: List[DbType]
    classes: Dict[str, str] = field(default_factory=dict)  # qualname -> kind (calling it builds one)
    functions: Dict[str, str] = field(default_factory=dict)  # qualname -> result spec
    sql_sinks: Dict[str, Tuple[FrozenSet[str], str]] = field(default_factory=dict)  # kind -> (methods, placeholder)
    handle_factories: Dict[str, str] = field(default_factory=dict)  # qualname -> how messages show the call
    # A library base class of the user's own model classes: qualname -> (the
    # kind a subclass is, the kind its instances are).
    model_bases: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    async_imports: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # library -> module prefixes
    modules: FrozenSet[str] = frozenset()  # top-level modules whose import makes a file worth a look
