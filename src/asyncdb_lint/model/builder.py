"""The one LibCST pass that records what the model needs.

Scopes, bindings (assignments, parameters, imports, ``with ... as``, ``self.x``
attributes, ``app.state``), functions with their returns and yields, classes,
parents, and the nodes rules ask about (calls, withs, fors...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import Binding, ClassInfo, FunctionInfo, Scope, dotted_name, outside_comprehensions

if TYPE_CHECKING:
    from asyncdb_lint.model.semantic import SemanticModel


class Builder(cst.CSTVisitor):
    """The one pass over the tree that records what the model needs."""

    def __init__(self, model: "SemanticModel"):
        super().__init__()
        self.model = model
        self.stack: List[cst.CSTNode] = []
        self.module_scope = Scope("module", model.module, None)
        self.scope = self.module_scope
        self.scopes: List[Scope] = [self.module_scope]
        self._not_loads: Set[cst.CSTNode] = set()
        self._receiver_params: Set[cst.Param] = set()  # `self`/`cls`: bound by visit_FunctionDef
        # node class -> this builder's bound visit_X / leave_X (or None): one lookup a class
        self._visits: Dict[type, Optional[Callable]] = {}
        self._leaves: Dict[type, Optional[Callable]] = {}

    # generic bookkeeping --------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        stack = self.stack
        if stack:
            self.model.parents[node] = stack[-1]
        stack.append(node)
        cls = type(node)
        try:
            visit = self._visits[cls]
        except KeyError:
            visit = self._visits[cls] = getattr(self, "visit_" + cls.__name__, None)
        return visit is None or visit(node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        cls = type(original_node)
        try:
            leave = self._leaves[cls]
        except KeyError:
            leave = self._leaves[cls] = getattr(self, "leave_" + cls.__name__, None)
        if leave is not None:
            leave(original_node)
        self.stack.pop()
        if self.scope.node is original_node:
            self.scope = self.scope.parent  # type: ignore[assignment]

    def _push(self, kind: str, node: cst.CSTNode) -> Scope:
        self.scope = Scope(kind, node, self.scope)
        self.scopes.append(self.scope)
        self.model.scope_of[node] = self.scope
        return self.scope

    def _bind(self, name: str, binding: Binding, scope: Optional[Scope] = None) -> None:
        scope = scope or self.scope
        if scope.kind == "comprehension" and binding.how != "unknown":
            scope = outside_comprehensions(scope)  # walrus binds outside
        if name in scope.globals:
            scope = self.module_scope
        scope.bindings[name].append(binding)

    def _bind_target(self, target: cst.BaseExpression, binding: Binding) -> None:
        if isinstance(binding.node, cst.Name) and binding.node.value == "None" and binding.how == "value":
            binding = Binding("none", None, binding.scope)  # `x = None` never decides what x holds
        if isinstance(target, cst.Name):
            self._not_loads.add(target)
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            value = binding.node if binding.how == "value" else None
            pairs = _pairwise(target, value)
            for element, element_value in pairs:
                # `clauses, values = [], []`: each name its own value; otherwise unknown
                self._bind_target(element.value, Binding("value", element_value, self.scope) if element_value is not None
                                  else Binding("unknown", None, self.scope))
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, Binding("unknown", None, self.scope))
        elif isinstance(target, cst.Attribute):
            self._bind_attribute(target, binding)

    def _bind_attribute(self, target: cst.Attribute, binding: Binding) -> None:
        if isinstance(target.value, cst.Attribute) and target.value.attr.value == "state":
            self.model.state_bindings[target.attr.value].append(binding)
            return
        function_scope = self.scope.function_scope
        info = function_scope.function if function_scope else None
        if info is None or info.owner is None or not isinstance(target.value, cst.Name):
            return
        params = info.node.params.params
        if params and params[0].name.value == target.value.value:
            info.owner.instance_attrs[target.attr.value].append(binding)

    # scopes ---------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        owner = outer.cls if outer.kind == "class" else None
        self._not_loads.add(node.name)
        scope = self._push("function", node)
        info = FunctionInfo(node, scope, node.asynchronous is not None, owner=owner)
        scope.function = info
        self.model.functions[node] = info
        self._bind(node.name.value, Binding("function", node, outer, info), outer)
        if owner is not None and node.params.params:
            decorators = set(info.decorator_names())
            if "staticmethod" not in decorators:
                first = node.params.params[0]
                how = "classref" if "classmethod" in decorators else "instance"
                self._not_loads.add(first.name)
                scope.bindings[first.name.value].append(Binding(how, first, scope, owner))
                self._receiver_params.add(first)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push("lambda", node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        outer = self.scope
        self._not_loads.add(node.name)
        scope = self._push("class", node)
        info = ClassInfo(node, scope)
        scope.cls = info
        self._bind(node.name.value, Binding("class", node, outer, info), outer)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._push("comprehension", node)

    visit_SetComp = visit_ListComp
    visit_DictComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    # bindings -------------------------------------------------------------
    def visit_Param(self, node: cst.Param) -> None:
        self._not_loads.add(node.name)
        if node in self._receiver_params:
            return
        function_scope = self.scope
        info = function_scope.function if function_scope.kind == "function" else None
        function_scope.bindings[node.name.value].append(Binding("param", node, function_scope, info))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, Binding("value", node.value, self.scope))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, Binding("annotated", node, self.scope))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            # `q += ...`: unknown as an object; the SQL string analysis reads it
            self._bind(node.target.value, Binding("augmented", node, self.scope))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, Binding("value", node.value, self.scope))

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, Binding("unknown", None, self.scope))
        self.model.fors.append(node)
        self.model.scope_of[node] = self.scope

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, Binding("unknown", None, self.scope))
        self.model.fors.append(node)
        self.model.scope_of[node] = self.scope

    def visit_With(self, node: cst.With) -> None:
        self.model.withs.append(node)
        self.model.scope_of[node] = self.scope
        for item in node.items:
            if item.asname is not None:
                # A sync `with` over an async context manager is itself a bug
                # (ADB104); bind what the code means, so later lines are judged too.
                how = "async" if node.asynchronous is not None else "sync"
                self._bind_target(item.asname.name, Binding("enter", item.item, self.scope, how))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_target(node.name.name, Binding("unknown", None, self.scope))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if not dotted:
                continue
            self.model.imported_modules.add(dotted)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._not_loads.add(alias.asname.name)
                name, target = alias.asname.name.value, dotted
            else:
                name, target = dotted.split(".")[0], dotted.split(".")[0]
            self._bind(name, Binding("extern", alias, self.scope, target))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level == 0 and module:
            self.model.imported_modules.add(module)
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            imported = alias.name.value if isinstance(alias.name, cst.Name) else dotted_name(alias.name)
            if not imported:
                continue
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            if level == 0 and module and module.split(".")[0] in _KNOWN_EXTERNAL_ROOTS:
                binding = Binding("extern", alias, self.scope, f"{module}.{imported}")
            elif level == 0:
                # Could be a project module or any installed package: ask the
                # index, and fall back to the qualified name.
                binding = Binding("project_or_extern", alias, self.scope, (module, imported))
            else:
                binding = Binding("project", alias, self.scope, (level, module or "", imported))
            self._bind(local, binding)
        return False

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.globals.add(item.name.value)
            self._not_loads.add(item.name)

    def visit_Return(self, node: cst.Return) -> None:
        scope = self.scope.function_scope
        if node.value is not None and scope is not None and scope.function is not None and scope.kind == "function":
            scope.function.returns.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        scope = self.scope.function_scope
        if scope is not None and scope.function is not None and scope.kind == "function":
            value = node.value if not isinstance(node.value, cst.From) else None
            scope.function.yields.append(value)

    # nodes rules ask about --------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.model.scope_of[node] = self.scope
        self.model.order[node] = len(self.model.order)

    def leave_Call(self, original_node: cst.Call) -> None:
        # Post-order: inner calls before the calls that use them, as Python
        # evaluates them (`conn.execute(q).fetchone()`: `execute` comes first).
        self.model.calls.append(original_node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.model.subscripts.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.model.attributes.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node in self._not_loads:
            return
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        if isinstance(parent, (cst.ImportAlias, cst.AsName, cst.NameItem)):
            return
        self.model.scope_of[node] = self.scope
        self.model.order[node] = len(self.model.order)
        self.scope.loads[node.value].append(node)


def _pairwise(target, value):
    """The elements of a tuple target with the elements of a tuple value of the
    same shape (no starred parts), or with None each."""
    elements = list(target.elements)
    if (
        isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements)
        and not any(isinstance(e, cst.StarredElement) for e in (*elements, *value.elements))
    ):
        return [(element, item.value) for element, item in zip(elements, value.elements)]
    return [(element, None) for element in elements]


# Packages that are never part of the linted project: imports from them need no
# index lookup.
_KNOWN_EXTERNAL_ROOTS = frozenset(lib.LIBRARY_MODULES) | {
    "typing", "typing_extensions", "collections", "asyncio", "contextlib", "functools",
    "fastapi", "starlette", "pydantic", "os", "sys", "json", "logging", "dataclasses",
    "anyio", "trio", "sqlite3", "datetime", "uuid", "enum", "abc", "pathlib",
}
