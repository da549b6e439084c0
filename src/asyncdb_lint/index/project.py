"""The project index: what names imported from other modules of the project hold.

It is lazy: a module is read and modelled only when a file being linted asks
about a name imported from it, so the CLI on a subset of files, the flake8
plugin (one file at a time) and a whole-tree run all see the same facts. Facts
from here can only make the model know more (and so add findings), never less.

An imported module is never parsed with LibCST: the semantic model reads its
skeleton (index/skeleton.py), made from Python's ``ast`` and kept in the cache
directory (index/summaries.py).
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from asyncdb_lint.model.semantic import (
    ClassValue,
    FunctionValue,
    Instance,
    ProjectIndexProtocol,
    SemanticModel,
    imported_value,
)
from asyncdb_lint.cache import FileHashes
from asyncdb_lint.index.summaries import AnswerStore, SummaryStore
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.values import (
    Extern, FuncSummary, Obj, Opaque, Pending, ProjectClass, ProjectInstance, ProjectModule, TypeAlias, Value,
)

_STATE_ASSIGNMENT = re.compile(rb"\.state\.([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)")
# Modelled modules kept in memory at once, by the size of their source: peak
# memory is what this bounds (a skeleton's model takes a few tens of bytes a
# source byte).
_MAX_MODEL_BYTES = 800_000
# `import asyncpg`, `from sqlalchemy.ext.asyncio import ...`: the libraries whose
# objects untyped receivers may be taken for (libraries.ASYNC_LIBRARY_IMPORTS).
_LIBRARY_IMPORT = re.compile(
    rb"^[ \t]*(?:from|import)[ \t]+("
    + b"|".join(sorted({re.escape(p.encode()) for ps in lib.ASYNC_LIBRARY_IMPORTS.values() for p in ps}, reverse=True))
    + rb")\b",
    re.MULTILINE,
)
_MAX_STATE_SCAN = 5000  # files scanned per package (`app.state` assignments, library imports)


class ProjectIndex(ProjectIndexProtocol):
    def __init__(
        self, search_roots: Iterable[str] = (), gate=None, cache_dir: Optional[str] = None, salt: str = "",
        summaries: Optional[SummaryStore] = None,
    ):
        """``gate`` (the prefilter's `ExportGate`) spares modelling modules that cannot matter;
        ``cache_dir`` keeps module skeletons and answers across runs (none: made afresh);
        ``salt`` names what else answers depend on (the configured in-house names)."""
        self._roots = [os.path.abspath(root) for root in search_roots]
        self._gate = gate
        hashes = FileHashes()
        self.summaries = summaries or SummaryStore(cache_dir, hashes)
        self.answers: Optional[AnswerStore] = None
        if cache_dir is not None:
            roots = "|".join(self._roots + [os.getcwd()])
            self.answers = AnswerStore(cache_dir, f"{salt}|gate={gate is not None}|{roots}", hashes)
        self._frames: List[_Frame] = []
        self._module_deps: Dict[str, _Frame] = {}
        self._export_deps: Dict[Tuple[str, str], Tuple[Set[str], bool]] = {}
        self._models: "OrderedDict[str, Optional[SemanticModel]]" = OrderedDict()
        self._model_sizes: Dict[str, int] = {}
        # Kept after a model is let go: its names answered without it (re-exports, classes).
        self._known_exports: Dict[str, Dict[str, Tuple[str, object]]] = {}
        self._exports: Dict[Tuple[str, str], Optional[Value]] = {}
        self._in_progress: Set[Tuple[str, str]] = set()
        self._state_files: Dict[str, List[str]] = {}
        self._isfile_cache: Dict[str, bool] = {}
        self._entries: Dict[Tuple[str, str], bool] = {}
        self.touched: Set[str] = set()  # project files read for the current file (cache dependencies)
        self._scanned: Set[str] = set()
        self._package_libraries: Dict[str, Dict[str, List[str]]] = {}

    # ------------------------------------------------------------ app.state
    def add_state_sources(self, paths: Iterable[str], libraries: Optional[Dict[str, List[str]]] = None) -> None:
        """Note which files assign ``<x>.state.<name> = ...`` (a cheap byte scan),
        and, given ``libraries``, which evidence libraries each file imports."""
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            absolute = os.path.abspath(path)
            for match in _STATE_ASSIGNMENT.finditer(data):
                files = self._state_files.setdefault(match.group(1).decode("ascii"), [])
                if absolute not in files:
                    files.append(absolute)
            if libraries is not None:
                for match in _LIBRARY_IMPORT.finditer(data):
                    libraries.setdefault(match.group(1).decode("ascii"), []).append(absolute)

    def state_attribute(self, name: str, importer: Optional[str] = None) -> Optional[Value]:
        self._note(set(), False)  # rests on a scan of the whole package
        if importer is not None:
            self._scan_project_of(importer)
        key = ("<state>", name)
        self.touched.update(self._state_files.get(name, ()))
        if key in self._exports:
            return self._exports[key]
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            values = set()
            for path in self._state_files.get(name, ()):
                model = self._model(path)
                if model is None or name not in model.state_bindings:
                    continue
                value = model._combine(model.state_bindings[name])
                values.add(_portable(value, model))
            values.discard(None)
            result = values.pop() if len(values) == 1 else None
        finally:
            self._in_progress.discard(key)
        self._exports[key] = result
        return result

    def _scan_project_of(self, importer: str) -> str:
        """Find ``app.state`` assignments and library imports in the package a file belongs to.

        Done once per package, so that linting one file (pre-commit, flake8)
        knows what the app's lifespan in another module put on ``app.state``.
        """
        directory = os.path.dirname(os.path.abspath(importer))
        top = directory  # the top-level package holding the file, or its directory
        while self._isfile(os.path.join(top, "__init__.py")) and self._isfile(
            os.path.join(os.path.dirname(top), "__init__.py")
        ):
            top = os.path.dirname(top)
        if top in self._scanned:
            return top
        self._scanned.add(top)
        from asyncdb_lint.files import SKIPPED_DIRECTORIES

        paths: List[str] = []
        for current, subdirectories, filenames in os.walk(top):
            subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRECTORIES]
            paths.extend(os.path.join(current, f) for f in filenames if f.endswith(".py"))
            if len(paths) > _MAX_STATE_SCAN:
                break
        libraries: Dict[str, List[str]] = {}
        self.add_state_sources(paths[:_MAX_STATE_SCAN], libraries)
        self._package_libraries[top] = libraries
        for key in [k for k in self._exports if k[0] == "<state>" and self._exports[k] is None]:
            del self._exports[key]
        return top

    def package_imports(self, path: str) -> FrozenSet[str]:
        """Library modules imported somewhere in the package of ``path`` (evidence for untyped receivers)."""
        self._note(set(), False)  # rests on a scan of the whole package
        libraries = self._package_libraries.get(self._scan_project_of(path), {})
        self.touched.update(file for files in libraries.values() for file in files)
        return frozenset(libraries)

    # ------------------------------------------------------------ imports
    def resolve_from(self, importer: Optional[str], level: int, module: str, name: str) -> Optional[Value]:
        if level:
            if importer is None:
                return None
            base = os.path.dirname(os.path.abspath(importer))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            candidates = [base]
        else:
            candidates = self._search_roots(importer)
        parts = module.split(".") if module else []
        for root in candidates:
            if parts and not self._has_entry(root, parts[0]):
                continue  # nothing of that name here: no module below it either
            directory = os.path.join(root, *parts)
            submodule = self._module_file(os.path.join(directory, name))
            module_file = self._module_file(directory) if parts else None
            if module_file is not None:
                value = self.export(module_file, name)
                if value is not None:
                    return value
                if submodule is None:
                    return None
            if submodule is not None:
                return ProjectModule(submodule)
        return None

    def resolve_absolute(self, qualname: str) -> Optional[Value]:
        module, _, name = qualname.rpartition(".")
        if not module:
            return None
        return self.resolve_from(None, 0, module, name)

    def _search_roots(self, importer: Optional[str]) -> List[str]:
        roots: List[str] = []
        if importer is not None:
            directory = os.path.dirname(os.path.abspath(importer))
            while self._isfile(os.path.join(directory, "__init__.py")):
                directory = os.path.dirname(directory)
            roots.append(directory)
        roots.extend(self._roots)
        cwd = os.getcwd()
        roots.extend([cwd, os.path.join(cwd, "src")])
        return list(dict.fromkeys(roots))

    def _module_file(self, base: str) -> Optional[str]:
        for candidate in (base + ".py", os.path.join(base, "__init__.py"), base + ".pyi"):
            if self._isfile(candidate):
                return candidate
        return None

    def _has_entry(self, root: str, name: str) -> bool:
        """Whether ``root`` holds a package directory or module file called ``name``."""
        key = (root, name)
        found = self._entries.get(key)
        if found is None:
            base = os.path.join(root, name)
            found = self._entries[key] = (
                os.path.isdir(base) or self._isfile(base + ".py") or self._isfile(base + ".pyi")
            )
        return found

    def _isfile(self, path: str) -> bool:
        cached = self._isfile_cache.get(path)
        if cached is None:
            cached = self._isfile_cache[path] = os.path.isfile(path)
        return cached

    # ------------------------------------------------------------ exports
    def export(self, path: str, name: str) -> Optional[Value]:
        key = (path, name)
        if key in self._exports:
            self._note(*self._export_deps[key])
            return self._exports[key]
        if key in self._in_progress:
            self._note({path}, False)  # an import cycle: this answer is cut short
            return None
        stored = self.answers.load(path, name) if self.answers is not None else None
        if stored is not None:
            result, deps = stored
            self._exports[key], self._export_deps[key] = result, (set(deps), True)
            self._note(set(deps), True)
            return result
        frame = _Frame(path)
        self._frames.append(frame)
        self._in_progress.add(key)
        try:
            result = self._compute_export(path, name)
        finally:
            self._in_progress.discard(key)
            self._frames.pop()
        # What the module's model remembers may rest on anything it read before.
        module = self._module_deps.setdefault(path, _Frame(path))
        module.deps |= frame.deps
        module.pure = module.pure and frame.pure
        deps, pure = set(module.deps), module.pure
        self._exports[key], self._export_deps[key] = result, (deps, pure)
        self._note(deps, pure)
        if pure and self.answers is not None:
            self.answers.store(path, name, result, deps)
        return result

    def _note(self, deps: Set[str], pure: bool) -> None:
        """Record what the answer being computed rests on (and what the linted file read)."""
        self.touched.update(deps)
        if self._frames:
            frame = self._frames[-1]
            frame.deps |= deps
            frame.pure = frame.pure and pure

    def flush(self) -> None:
        if self.answers is not None:
            self.answers.flush()

    def class_attribute(self, cls: Value, attr: str) -> Optional[Value]:
        """``attr`` of a project class (or of an instance of it) of another module."""
        if isinstance(cls, ProjectClass):
            return self.export(cls.path, f"{cls.name}.{attr}")
        if isinstance(cls, ProjectInstance):
            return self.export(cls.path, f"{cls.name}().{attr}")
        return None

    def _compute_export(self, path: str, name: str) -> Optional[Value]:
        if self._gate is not None and not self._gate.must_model(path, name.split(".")[0].rstrip("()")):
            self._note(set(), False)  # the gate's answer rests on files it read, not tracked
            # Nothing the rules act on; a package's unmentioned name can only be a submodule.
            submodule = None
            if os.path.basename(path) == "__init__.py" and "." not in name:
                submodule = self._module_file(os.path.join(os.path.dirname(path), name))
            if submodule is not None:
                return ProjectModule(submodule)
            return Opaque(f"{path}:{name}")  # a project name that holds nothing DB-related
        if "." in name:
            return self._class_member(path, name)
        known = self._known_exports.get(path)
        if known is not None and name in known:
            how, data = known[name]
            return imported_value(self, path, how, data) if how != "class" else ProjectClass(path, name)
        model = self._model(path)
        if model is None:
            return None
        scope = model.module_scope
        if name not in scope.bindings:
            directory = os.path.dirname(path)
            if os.path.basename(path) == "__init__.py":
                submodule = self._module_file(os.path.join(directory, name))
                if submodule is not None:
                    return ProjectModule(submodule)
            return None
        value = model.lookup(name, scope)
        if value is None:
            alias = model._alias_kind(name, scope)
            return TypeAlias(alias) if alias else None
        return _portable(value, model)

    def _class_member(self, path: str, name: str) -> Optional[Value]:
        """``Cls.attr`` or ``Cls().attr`` of the module at ``path``."""
        cls, attr = name.split(".", 1)
        instance = cls.endswith("()")
        model = self._model(path)
        if model is None:
            return None
        classes = [b for b in model.module_scope.bindings.get(cls.rstrip("()"), []) if b.how == "class"]
        if len(classes) != 1:
            return None
        return _portable(model.class_attribute(classes[0].data, attr, instance), model)

    def _model(self, path: str) -> Optional[SemanticModel]:
        if path in self._models:
            self._models.move_to_end(path)
            return self._models[path]
        model: Optional[SemanticModel] = None
        size = 0
        try:
            module, size = self.summaries.module_of(path)
            if module is not None:
                model = SemanticModel(module, path=path, index=self)
                self._known_exports[path] = model.exports_without_model()
        except (RecursionError, MemoryError):
            model = None
        self._models[path] = model
        self._model_sizes[path] = size
        while len(self._models) > 1 and sum(self._model_sizes.values()) > _MAX_MODEL_BYTES:
            evicted, _ = self._models.popitem(last=False)
            del self._model_sizes[evicted]
        return model


class _Frame:
    """An answer being computed: the files it rests on, and whether it may be stored."""

    __slots__ = ("deps", "pure")

    def __init__(self, path: str):
        self.deps: Set[str] = {path}
        self.pure = True


def _portable(value: Optional[Value], model: SemanticModel) -> Optional[Value]:
    """A value that makes sense outside its module (no CST nodes)."""
    if isinstance(value, (Obj, Pending, Extern, TypeAlias, ProjectModule, FuncSummary)):
        return value
    if isinstance(value, FunctionValue):
        return model.function_summary(value.info)
    if isinstance(value, (ClassValue, Instance)):
        name = value.info.node.name.value
        bindings = model.module_scope.bindings.get(name, [])
        if len(bindings) == 1 and bindings[0].data is value.info:  # a module-level class
            return ProjectClass(model.path, name) if isinstance(value, ClassValue) else ProjectInstance(model.path, name)
        return None
    if isinstance(value, (Opaque, ProjectClass, ProjectInstance)):
        return value
    return None
