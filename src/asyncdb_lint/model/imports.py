"""What a name bound by an import holds: the project index, as the model sees it."""

from __future__ import annotations

from typing import FrozenSet, Optional

from asyncdb_lint.model.values import Extern, Value


class ProjectIndexProtocol:
    """What the model needs from the project index (see index/project.py)."""

    def resolve_from(self, importer: Optional[str], level: int, module: str, name: str) -> Optional[Value]:
        return None

    def resolve_absolute(self, qualname: str) -> Optional[Value]:
        return None

    def export(self, path: str, name: str) -> Optional[Value]:
        return None

    def state_attribute(self, name: str, importer: Optional[str] = None) -> Optional[Value]:
        return None

    def class_attribute(self, cls: Value, attr: str) -> Optional[Value]:
        """``attr`` of a ``ProjectClass`` or ``ProjectInstance`` (a class of another module)."""
        return None

    def package_imports(self, path: str) -> FrozenSet[str]:
        """The library modules some file of ``path``'s package imports (see ``LIBRARY_MODULES``)."""
        return frozenset()


NO_INDEX = ProjectIndexProtocol()


IMPORT_BINDINGS = frozenset({"extern", "project", "project_or_extern"})


def imported_value(index: ProjectIndexProtocol, path: Optional[str], how: str, data) -> Optional[Value]:
    """What a name bound by an import holds (``how``/``data`` as the builder recorded them)."""
    if how == "extern":
        return Extern(data)
    if how == "project":
        level, module, name = data
        return index.resolve_from(path, level, module, name)
    module, name = data  # project_or_extern: a project module if the index finds one
    found = index.resolve_from(path, 0, module, name)
    return found if found is not None else Extern(f"{module}.{name}")
