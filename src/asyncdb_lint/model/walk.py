"""A read-only walk over a LibCST tree, in LibCST's own order, without rebuilding it.

`module.visit(visitor)` rebuilds every node it passes (LibCST's traversal is
shared with transformers), which costs more than parsing did. The model only
reads the tree, so it walks the nodes' fields directly. The order of a node's
fields is learned from LibCST itself (`node.children`) the first time a node
shape is met, so the walk sees nodes in exactly the order `visit` would.
Whitespace and comment nodes are skipped: nothing in the model asks about them.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

_SKIPPED = (
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace,
    cst.EmptyLine, cst.Newline, cst.Comment,
)

# node class -> its dataclass field names
_FIELDS: Dict[type, Tuple[str, ...]] = {}
# (node class, which fields hold nodes) -> those fields in LibCST's visiting
# order, or None when LibCST interleaves fields (then its own `children` is used)
_ORDERS: Dict[Tuple[type, Tuple[bool, ...]], Optional[Tuple[int, ...]]] = {}


def walk(node: cst.CSTNode, on_visit: Callable[[cst.CSTNode], bool], on_leave: Callable[[cst.CSTNode], None]) -> None:
    """Call ``on_visit`` before a node's children (which it may skip by returning False) and ``on_leave`` after."""
    if on_visit(node):
        for child in children(node):
            walk(child, on_visit, on_leave)
    on_leave(node)


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The node's child nodes in LibCST's visiting order, whitespace and comments left out."""
    cls = type(node)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(field.name for field in dataclasses.fields(cls) if _may_hold_nodes(field.type))
    values = [getattr(node, name) for name in names]
    # CSTNode is an ABC, and isinstance() against it is slow: node classes are
    # recognised by exact type (every node class LibCST defines, collected once)
    shape = tuple(
        type(value) in _NODE_TYPES or (type(value) in _SEQUENCES and len(value) > 0 and type(value[0]) in _NODE_TYPES)
        for value in values
    )
    key = (cls, shape)
    if key in _ORDERS:
        order = _ORDERS[key]
    else:
        order = _ORDERS[key] = _learn_order(node, values, shape)
    if order is None:
        return [child for child in node.children if type(child) not in _SKIPPED_TYPES]
    result: List[cst.CSTNode] = []
    for position in order:
        value = values[position]
        if type(value) in _NODE_TYPES:
            if type(value) not in _SKIPPED_TYPES:
                result.append(value)
        else:
            result.extend(item for item in value if type(item) not in _SKIPPED_TYPES)
    return result


def _subclasses(cls: type) -> set:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


_NODE_TYPES = frozenset(_subclasses(cst.CSTNode))
_SKIPPED_TYPES = frozenset(t for t in _NODE_TYPES if issubclass(t, _SKIPPED))
_SEQUENCES = (tuple, list)


def _may_hold_nodes(annotation: object) -> bool:
    """Whether a field of this declared type can hold a node we walk (not only whitespace)."""
    if typing.get_origin(annotation) is not None:
        return any(_may_hold_nodes(argument) for argument in typing.get_args(annotation))
    if not isinstance(annotation, type):
        return True  # a forward reference or something unexpected: keep it
    return issubclass(annotation, cst.CSTNode) and not issubclass(annotation, (*_SKIPPED, cst.BaseParenthesizableWhitespace))


def _learn_order(node: cst.CSTNode, values: Sequence[object], shape: Tuple[bool, ...]) -> Optional[Tuple[int, ...]]:
    """Which field each of LibCST's children comes from; None unless each field is visited in one run."""
    pending = {
        position: [value] if isinstance(value, cst.CSTNode) else list(value)  # type: ignore[call-overload]
        for position, value in enumerate(values)
        if shape[position]
    }
    runs: List[int] = []
    for child in node.children:
        if isinstance(child, _SKIPPED):
            continue
        for position, items in pending.items():
            if items and items[0] is child:
                items.pop(0)
                if not runs or runs[-1] != position:
                    runs.append(position)
                break
        else:
            return None  # a child we cannot place
    if any(pending.values()) or len(runs) != len(set(runs)):
        return None
    return tuple(runs)
