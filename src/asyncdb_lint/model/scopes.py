"""The structures the model is made of: scopes, bindings, functions, classes.

The builder (model/builder.py) fills them in one pass; the questions the model
answers (what a name holds, what happens to a value...) read them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set

import libcst as cst


@dataclass(eq=False)
class Binding:
    """One place where a name (or attribute) gets a value.

    ``how`` says how to evaluate it: ``value`` (an expression), ``annotated``
    (an AnnAssign), ``param``, ``enter`` (``async with ... as name``),
    ``function``, ``class``, ``extern`` (an import of a library),
    ``project`` (an import that may name a project module), ``none`` (the
    literal ``None``, which never decides a kind) or ``unknown``.
    """

    how: str
    node: Optional[cst.CSTNode]
    scope: "Scope"
    data: object = None


class Scope:
    """A module, class, function, lambda or comprehension scope."""

    def __init__(self, kind: str, node: cst.CSTNode, parent: Optional["Scope"]):
        self.kind = kind
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = defaultdict(list)
        self.loads: Dict[str, List[cst.Name]] = defaultdict(list)
        self.globals: Set[str] = set()
        self.function: Optional[FunctionInfo] = None
        self.cls: Optional[ClassInfo] = None

    @property
    def function_scope(self) -> Optional["Scope"]:
        """The nearest enclosing ``def``/``lambda`` scope, or None at module level."""
        scope: Optional[Scope] = self
        while scope is not None and scope.kind not in ("function", "lambda"):
            scope = scope.parent
        return scope

    @property
    def is_async(self) -> bool:
        """True when code here runs inside an ``async def`` body."""
        scope = self.function_scope
        return scope is not None and scope.function is not None and scope.function.is_async


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    scope: Scope
    is_async: bool
    returns: List[cst.BaseExpression] = field(default_factory=list)
    yields: List[Optional[cst.BaseExpression]] = field(default_factory=list)
    owner: Optional["ClassInfo"] = None  # set for methods

    @property
    def name(self) -> str:
        return self.node.name.value

    @property
    def is_generator(self) -> bool:
        return bool(self.yields)

    def decorator_names(self) -> Iterator[str]:
        for decorator in self.node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                expr = expr.func
            name = dotted_name(expr)
            if name:
                yield name


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    scope: Scope  # the class body
    instance_attrs: Dict[str, List[Binding]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class ClassValue:
    info: ClassInfo


@dataclass(frozen=True)
class Instance:
    info: ClassInfo


@dataclass(frozen=True)
class FunctionValue:
    info: FunctionInfo


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted_name(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


def outside_comprehensions(scope: Scope) -> Scope:
    """Where a name bound inside a comprehension (by a walrus) really lives."""
    while scope.kind == "comprehension" and scope.parent is not None:
        scope = scope.parent
    return scope
