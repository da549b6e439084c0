"""What a type annotation declares, and what a FastAPI dependency injects."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import ClassValue, FunctionValue, Instance, Scope
from asyncdb_lint.model.values import Extern, FuncSummary, Obj, Opaque, ProjectClass, ProjectInstance, TypeAlias, Value

# Generic wrappers whose first argument is the type we care about.
_UNWRAP_FIRST = {
    "typing.Optional", "typing.Annotated", "typing_extensions.Annotated",
    "typing.AsyncIterator", "typing.AsyncGenerator", "typing.Iterator", "typing.Generator",
    "typing.AsyncIterable", "typing.Iterable", "typing.Awaitable",
    "collections.abc.AsyncIterator", "collections.abc.AsyncGenerator",
    "collections.abc.Iterator", "collections.abc.Generator",
    "collections.abc.AsyncIterable", "collections.abc.Iterable", "collections.abc.Awaitable",
    "contextlib.AbstractAsyncContextManager",
}


# Annotations that say nothing about what a name holds.
_NO_CLAIM = frozenset({"typing.Any", "typing_extensions.Any", "object", "typing.Optional", "typing.Union"})


class AnnotationQuestions:
    """Annotations and ``Depends`` providers (mixed into :class:`SemanticModel`)."""

    def declared_other(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[Value]:
        """What an annotation that names no DB kind says: an instance of a class
        of this file, or something else the model does not track (``Opaque``)
        - a builtin or another library's type. None when it makes no claim."""
        if isinstance(annotation, cst.SimpleString):  # a forward reference: "type[User]"
            try:
                inner = cst.parse_expression(annotation.evaluated_value)  # type: ignore[arg-type]
            except Exception:
                return None
            self.parents[inner] = annotation
            return self.declared_other(inner, scope)
        if isinstance(annotation, cst.Subscript):
            elements = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
            qualname = self.qualname_of(annotation.value, scope)
            if qualname == "typing.Optional" and len(elements) == 1:
                return self.declared_other(elements[0], scope)
            builtin_type = (
                isinstance(annotation.value, cst.Name) and annotation.value.value == "type" and not self.binds("type", scope)
            )
            if (qualname == "typing.Type" or builtin_type) and len(elements) == 1:
                # `model: Type[User]`: the class itself (its classmethods: an ORM's `User.filter()`)
                inner = self.declared_other(elements[0], scope)
                if isinstance(inner, Instance):
                    return ClassValue(inner.info)
                if isinstance(inner, ProjectInstance):
                    return ProjectClass(inner.path, inner.name)
                return Opaque("type")
            return None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            if isinstance(annotation.right, cst.Name) and annotation.right.value == "None":
                return self.declared_other(annotation.left, scope)
            return None
        if not isinstance(annotation, (cst.Name, cst.Attribute)):
            return None
        value = self.value_of(annotation, scope)
        if isinstance(value, ClassValue):
            return Instance(value.info)
        if isinstance(value, ProjectClass):
            return ProjectInstance(value.path, value.name)
        if isinstance(value, (Opaque, ProjectInstance)):
            return Opaque(self.module.code_for_node(annotation))
        if isinstance(value, Extern):
            root = value.qualname.split(".")[0]
            if value.qualname in _NO_CLAIM or root in lib.LIBRARY_MODULES or root in ("typing", "typing_extensions"):
                return None
            return Opaque(value.qualname)
        if isinstance(annotation, cst.Name) and annotation.value in lib.BUILTIN_TYPES and not self.binds(annotation.value, scope):
            return Opaque(annotation.value)
        return None

    def dependency_kind(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The kind FastAPI injects for ``Depends(fn)``/``Security(fn)``."""
        if not isinstance(expr, cst.Call) or not expr.args:
            return None
        if self.qualname_of(expr.func, scope) not in lib.DEPENDENCY_MARKERS:
            return None
        provider = self.value_of(expr.args[0].value, scope)
        return self.dependency_of(provider)

    def dependency_of(self, provider: Optional[Value]) -> Optional[str]:
        if isinstance(provider, FunctionValue):
            return self.function_summary(provider.info).dependency
        if isinstance(provider, FuncSummary):
            return provider.dependency
        if isinstance(provider, Obj) and provider.type.called:  # Depends(async_session_maker)
            called = lib.parse_spec(provider.type.called)
            return called.kind if called.mode == "value" else None
        if isinstance(provider, Extern) and provider.qualname in lib.CLASSES:
            return lib.CLASSES[provider.qualname]
        return None

    def _annotated_dependency(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """``Annotated[Unknown, Depends(fn)]``: fall back to what ``fn`` provides."""
        if isinstance(annotation, cst.Subscript) and self.qualname_of(annotation.value, scope) in (
            "typing.Annotated", "typing_extensions.Annotated"
        ):
            for element in annotation.slice[1:]:
                if isinstance(element.slice, cst.Index):
                    kind = self.dependency_kind(element.slice.value, scope)
                    if kind:
                        return kind
        return None

    def annotation_kind(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The DB kind a type annotation declares, unwrapping Optional/Annotated/X | None."""
        return self._memoised("annotation", annotation, lambda: self._annotation(annotation, scope))  # type: ignore[return-value]

    def _annotation(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[str]:
        if isinstance(annotation, cst.SimpleString):
            try:
                inner = cst.parse_expression(annotation.evaluated_value)  # type: ignore[arg-type]
            except Exception:
                return None
            self.parents[inner] = annotation
            return self.annotation_kind(inner, scope)
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            return self._agree(annotation.left, annotation.right, scope=scope)
        if isinstance(annotation, cst.Subscript):
            qualname = self.qualname_of(annotation.value, scope)
            elements = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
            if not elements:
                return None
            if qualname == "typing.Union":
                return self._agree(*elements, scope=scope)
            if qualname in _UNWRAP_FIRST or qualname is None:
                if qualname is None:  # an unknown generic: `async_sessionmaker[AsyncSession]` etc.
                    return self.annotation_kind(annotation.value, scope)
                return self.annotation_kind(elements[0], scope)
            if qualname in lib.CLASSES:
                return lib.CLASSES[qualname]
            return None
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            value = self.value_of(annotation, scope)
            if isinstance(value, Extern):
                return lib.CLASSES.get(value.qualname)
            if isinstance(value, TypeAlias):
                return value.kind
            if isinstance(annotation, cst.Name):
                return self._alias_kind(annotation.value, scope)
        return None

    def _alias_kind(self, name: str, scope: Scope) -> Optional[str]:
        """A module-level type alias: ``SessionDep = Annotated[AsyncSession, Depends(...)]``."""
        bindings = self.module_scope.bindings.get(name, [])
        if len(bindings) == 1 and bindings[0].how == "value":
            node = bindings[0].node
            if isinstance(node, (cst.Subscript, cst.BinaryOperation, cst.SimpleString)):
                kind = self.annotation_kind(node, self.module_scope)  # type: ignore[arg-type]
                return kind or self._annotated_dependency(node, self.module_scope)  # type: ignore[arg-type]
        return None

    def _agree(self, *annotations: cst.BaseExpression, scope: Scope) -> Optional[str]:
        kinds = set()
        for annotation in annotations:
            if isinstance(annotation, cst.Name) and annotation.value == "None":
                continue
            kinds.add(self.annotation_kind(annotation, scope))
        return kinds.pop() if len(kinds) == 1 else None
