"""What an expression can be known to hold.

The evaluator answers "what is this?" with one of these, or ``None`` for "we do
not know" - and every rule stays silent on ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from asyncdb_lint.model.libraries import TYPES, DbType


@dataclass(frozen=True)
class Obj:
    """An instance of a DB type (a ``Database``, an asyncpg ``Pool``...)."""

    kind: str

    @property
    def type(self) -> DbType:
        return TYPES[self.kind]


@dataclass(frozen=True)
class Pending:
    """What an async API call returns before it is awaited, entered or iterated.

    ``mode`` is ``await`` (a coroutine), ``awaitable_cm`` (awaited or entered with
    ``async with``) or ``aiter`` (consumed with ``async for``). ``kind`` is the DB
    type that awaiting/entering gives, if any. ``user`` marks the coroutine of a
    project function: we follow it to know what awaiting gives, never report it.
    """

    mode: str
    kind: Optional[str]
    api: str
    user: bool = False
    evidence: bool = False  # known from how the code uses the receiver, not from its type
    starts_at_once: bool = False  # the operation runs without `await` (Motor's futures): only its result waits


@dataclass(frozen=True)
class Extern:
    """A module, class or function of some library, by qualified name."""

    qualname: str


@dataclass(frozen=True)
class FuncSummary:
    """A project function, as other code sees it.

    ``returns`` is what calling it gives; ``dependency`` what FastAPI injects when
    it is used as ``Depends(fn)`` (the yielded value of a generator dependency).
    """

    returns: Optional["Value"]
    dependency: Optional[str]


@dataclass(frozen=True)
class TypeAlias:
    """A name bound to a type expression (``SessionDep = Annotated[AsyncSession, ...]``)."""

    kind: str


@dataclass(frozen=True)
class ProjectModule:
    """A module of the linted project, by file path."""

    path: str


@dataclass(frozen=True)
class ProjectClass:
    """A module-level class of another module of the project."""

    path: str
    name: str


@dataclass(frozen=True)
class ProjectInstance:
    """An instance of a :class:`ProjectClass`: its attributes are asked of the project index."""

    path: str
    name: str


@dataclass(frozen=True)
class Opaque:
    """Known to be something the model does not track: an object of another
    library or a builtin type, by its annotation. Unlike ``None`` (unknown), it
    rules out evidence that the object is a DB object."""

    what: str


Value = Union[Obj, Pending, Extern, FuncSummary, TypeAlias, ProjectModule, ProjectClass, ProjectInstance, Opaque, object]


def awaited(value: Optional[Value]) -> Optional[Value]:
    """What ``await value`` gives."""
    if isinstance(value, Pending) and value.mode in ("await", "awaitable_cm", "aiter"):
        return Obj(value.kind) if value.kind else None
    if isinstance(value, Obj) and value.type.awaits_to:
        return Obj(value.type.awaits_to)
    return None


def entered(value: Optional[Value]) -> Optional[Value]:
    """What ``async with value as x`` binds to ``x``."""
    if isinstance(value, Pending) and value.mode == "awaitable_cm":
        return Obj(value.kind) if value.kind else None
    if isinstance(value, Obj) and value.type.enters_to:
        return Obj(value.type.enters_to)
    return None


def is_async_context_manager(value: Optional[Value]) -> bool:
    if isinstance(value, Pending):
        return value.mode == "awaitable_cm" and not value.user
    return isinstance(value, Obj) and value.type.enters_to is not None


def is_lazy_query(value: Optional[Value]) -> bool:
    """An ORM's query object: it runs only when awaited (building it checks its arguments)."""
    return isinstance(value, Obj) and value.type.query


def is_async_iterable(value: Optional[Value]) -> bool:
    if isinstance(value, Pending):
        return value.mode == "aiter" and not value.user
    return isinstance(value, Obj) and value.type.async_iterable
