"""The per-file semantic model: one object every rule asks.

One LibCST pass (model/builder.py) records scopes, bindings, functions,
classes, parents and the nodes rules care about. Everything else is answered
lazily and memoised, each kind of question in its own module:

- what a name or expression holds: model/holds.py (the evaluator), with
  model/annotations.py (type annotations, FastAPI dependencies) and
  model/evidence.py (what the code's own use says of an untyped receiver);
- what happens to a value (awaited, discarded, used as data): model/fates.py;
- what blocks the event loop: model/blocking.py;
- where a request is (handlers, dependencies, lifespans): model/requests.py;
- how a string was built and where SQL runs: model/strings.py (what is
  literal-only there: model/literals.py).

Rules never re-derive these facts; the model never knows about rules.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

import libcst as cst

from asyncdb_lint.model.annotations import AnnotationQuestions
from asyncdb_lint.model.blocking import BlockingQuestions
from asyncdb_lint.model.builder import Builder
from asyncdb_lint.model.evidence import EvidenceQuestions
from asyncdb_lint.model.fates import DATA_USES, FateQuestions, Usage
from asyncdb_lint.model.holds import ValueQuestions
from asyncdb_lint.model.imports import IMPORT_BINDINGS, NO_INDEX, ProjectIndexProtocol, imported_value
from asyncdb_lint.model.scopes import (
    Binding,
    ClassInfo,
    ClassValue,
    FunctionInfo,
    FunctionValue,
    Instance,
    Scope,
)
from asyncdb_lint.model.values import Value
from asyncdb_lint.model.walk import walk

__all__ = [
    "Binding", "ClassInfo", "ClassValue", "DATA_USES", "FunctionInfo", "FunctionValue", "IMPORT_BINDINGS",
    "Instance", "NO_INDEX", "ProjectIndexProtocol", "Scope", "SemanticModel", "Usage", "imported_value",
]


class SemanticModel(ValueQuestions, EvidenceQuestions, AnnotationQuestions, FateQuestions, BlockingQuestions):
    """Facts about one parsed module, computed once and shared by every rule."""

    def __init__(self, module: cst.Module, path: Optional[str] = None, index: ProjectIndexProtocol = NO_INDEX):
        self.module = module
        self.path = path
        self.index = index
        self.parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.scope_of: Dict[cst.CSTNode, Scope] = {}
        self.order: Dict[cst.CSTNode, int] = {}  # calls and name loads, in source order
        self.calls: List[cst.Call] = []
        self.withs: List[cst.With] = []
        self.subscripts: List[cst.Subscript] = []
        self.attributes: List[cst.Attribute] = []
        self.fors: List[Union[cst.For, cst.CompFor]] = []
        self.functions: Dict[cst.FunctionDef, FunctionInfo] = {}
        self.state_bindings: Dict[str, List[Binding]] = defaultdict(list)
        self.imported_modules: Set[str] = set()
        self._memo: Dict[Tuple[str, int], Optional[Value]] = {}
        self._in_progress: Set[Tuple[str, int]] = set()
        builder = Builder(self)
        walk(module, builder.on_visit, builder.on_leave)
        self.module_scope = builder.module_scope
        self.scopes: List[Scope] = builder.scopes

    # ------------------------------------------------------------------ structure
    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The simple or compound statement a node belongs to (for ``noqa``)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return ancestor
        return node

    def scope_at(self, node: cst.CSTNode) -> Scope:
        """The scope code at ``node`` runs in."""
        scope = self.scope_of.get(node)
        if scope is not None:
            return scope
        for ancestor in self.ancestors(node):
            scope = self.scope_of.get(ancestor)
            if scope is not None:
                return scope
        return self.module_scope
