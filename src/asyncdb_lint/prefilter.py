"""The cheap first question: can this file produce any finding beyond ADB001?

Most files of a large repository never touch a database. Before paying for a
LibCST parse, a byte scan looks for the names every rule needs - the library
modules, `on_event`, SQL execution method names, `.state.`, the configured
in-house names - and follows the file's imports of project modules (which may
export a database handle) the same way. A file without any of them cannot
produce a finding, so it only gets the syntax check that ADB001 needs.

The gate is conservative by construction: it may let through a file that has
no finding, never the other way round (a test lints every fixture with and
without it and compares).
"""

from __future__ import annotations

import functools
import os
import re
from typing import Dict, Iterable, Set

from asyncdb_lint.model import libraries as lib

_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([^#\n]+)|import[ \t]+([^#\n]+))", re.MULTILINE)


def _pattern(words: Iterable[str], state: bool = False) -> "re.Pattern[bytes]":
    alternatives = "|".join(sorted(re.escape(word) for word in set(words) if word))
    return re.compile(rb"(?:\b(?:" + alternatives.encode() + rb")\b" + (rb"|\.state\." if state else b"") + rb")")


class ImportGraph:
    """The project modules each file imports (a byte scan of its import lines),
    and whether a module reaches - itself or through those imports - one whose
    text matches a pattern."""

    def __init__(self):
        self._resolved: Dict[tuple, Set[str]] = {}
        self._answers: Dict[bytes, Dict[str, bool]] = {}  # pattern -> module -> answer

    def reaches(self, module_path: str, pattern: "re.Pattern[bytes]") -> bool:
        """A search over the import graph: when nothing matches, nothing reachable
        from any module it visited matches either, so all of them are remembered;
        import cycles need no special care."""
        answers = self._answers.setdefault(pattern.pattern, {})
        if module_path in answers:
            return answers[module_path]
        visited = {module_path}
        queue = [module_path]
        while queue:
            current = queue.pop()
            known = answers.get(current)
            if known is True:
                answers[module_path] = True
                return True
            if known is False:
                continue
            try:
                with open(current, "rb") as handle:
                    data = handle.read()
            except OSError:
                answers[module_path] = True  # cannot tell: assume it does
                return True
            if pattern.search(data):
                answers[current] = answers[module_path] = True
                return True
            for imported in self.imported_files(current, data):
                if imported not in visited:
                    visited.add(imported)
                    queue.append(imported)
        for module in visited:
            answers[module] = False
        return False

    def imported_files(self, path: str, data: bytes) -> Set[str]:
        """Files of the project this file imports from (relative or absolute)."""
        found: Set[str] = set()
        if b"import" not in data:
            return found
        directory = os.path.dirname(os.path.abspath(path))
        roots = _search_roots(directory)
        resolve = self._resolve
        for match in _IMPORT.finditer(data):
            if match.group(3) is not None:
                modules = [part.strip().split(" as ")[0].strip() for part in match.group(3).decode("utf-8", "replace").split(",")]
                for module in modules:
                    found.update(resolve(module, roots, ()))
                continue
            module = match.group(1).decode("utf-8", "replace")
            imported = match.group(2)
            if imported.lstrip().startswith(b"(") and b")" not in imported:
                end = data.find(b")", match.end())
                imported = data[match.start(2):end if end >= 0 else len(data)]
            names = [
                part.strip().split(" as ")[0].strip("() \t\\\r\n")
                for part in imported.decode("utf-8", "replace").replace("\n", ",").split(",")
            ]
            level = len(module) - len(module.lstrip("."))
            if level:
                base = directory
                for _ in range(level - 1):
                    base = os.path.dirname(base)
                found.update(resolve(module.lstrip("."), (base,), names))
            else:
                found.update(resolve(module, roots, names))
        return found

    def _resolve(self, module: str, roots, names) -> Set[str]:
        key = (module, tuple(roots), tuple(names))
        if key not in self._resolved:
            self._resolved[key] = _resolve(module, roots, names)
        return self._resolved[key]


def _imports_or_names(modules: Iterable[str], words: Iterable[str] = ()) -> "re.Pattern[bytes]":
    """Text that imports one of ``modules`` (top-level names) or mentions one of ``words``."""
    alternatives = [rb"^[ \t]*(?:from|import)[ \t]+(?:" + "|".join(sorted(re.escape(m) for m in set(modules) if m)).encode() + rb")\b"]
    words = sorted(re.escape(word) for word in set(words) if word)
    if words:
        alternatives.append(rb"\b(?:" + "|".join(words).encode() + rb")\b")
    return re.compile(b"|".join(alternatives), re.MULTILINE)


class Prefilter:
    """Answers `relevant(path, data)`, remembering project modules it scanned.

    Two word lists: what makes a file worth analysing itself (library names,
    SQL execution methods, `on_event`, `.state.`, in-house names), and what
    makes a module worth following from the files that import it (it imports
    a DB library or names an in-house type, so it may hand out a DB object).
    """

    def __init__(self, custom_names: Iterable[str] = ()):
        custom = {name.rsplit(".", 1)[-1] for name in custom_names} | {name.split(".")[0] for name in custom_names}
        exporters = set(lib.LIBRARY_MODULES) | custom
        words = exporters | set(lib.UNTRACED_SQL_METHODS) | {"on_event", "add_event_handler"}
        # Substring tests are fast; the word-boundary regex only confirms a hit.
        self._substrings = tuple(sorted({w.encode() for w in words if w} | {b".state."}))
        self._tokens = _pattern(words, state=True)
        # Importing a DB library (or naming an in-house DB type) is what lets a
        # module hand a DB object to the files that import it.
        self._exports = _imports_or_names(exporters, custom)
        self.graph = ImportGraph()
        self.index_gate = ExportGate(self.graph, custom)

    def relevant(self, path: str, data: bytes) -> bool:
        if any(word in data for word in self._substrings) and self._tokens.search(data):
            return True
        return any(self.graph.reaches(module, self._exports) for module in self.graph.imported_files(path, data))


class ExportGate:
    """Which modules the project index must model to say what a name imported from them holds.

    The model knows only what the knowledge tables name. A module that reaches
    (itself or through its project imports) none of the modules whose objects
    get a kind - DB libraries, the web frameworks, in-house DB names - can hand
    out nothing the rules act on, so the index answers "nothing known" without
    parsing it. One exception is kept exact: re-exporting a name of a module
    the model only passes through (`from typing import Annotated` in a compat
    module) - such a module is modelled when it mentions the name asked for.
    """

    def __init__(self, graph: ImportGraph, custom: Iterable[str] = ()):
        self._graph = graph
        self._values = _imports_or_names(lib.VALUE_MODULES | {name.split(".")[0] for name in custom}, custom)
        self._known = _imports_or_names(lib.KNOWN_MODULES)

    def must_model(self, path: str, name: str) -> bool:
        if self._graph.reaches(path, self._values):
            return True
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return True
        mentioned = re.search(rb"\b" + re.escape(name.encode()) + rb"\b", data) is not None
        if mentioned and os.path.basename(path) == "__init__.py":
            return True  # what a package binds to a name may be one of its submodules
        return mentioned and self._graph.reaches(path, self._known)


@functools.lru_cache(maxsize=4096)
def _search_roots(directory: str) -> tuple:
    roots = []
    top = directory
    while os.path.isfile(os.path.join(top, "__init__.py")):
        top = os.path.dirname(top)
    roots.append(top)
    cwd = os.getcwd()
    roots.extend([cwd, os.path.join(cwd, "src")])
    return tuple(dict.fromkeys(roots))


def _resolve(module: str, roots: Iterable[str], names: Iterable[str]) -> Set[str]:
    """The files a module (and, for `from module import name`, submodules) may be."""
    found: Set[str] = set()
    parts = [p for p in module.split(".") if p]
    for root in roots:
        if parts and not os.path.exists(os.path.join(root, parts[0])) and not os.path.isfile(os.path.join(root, parts[0] + ".py")):
            continue  # not a package of this project (stdlib, installed): nothing to follow
        base = os.path.join(root, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if parts and os.path.isfile(candidate):
                found.add(candidate)
        for name in names:
            if name and name != "*":
                for candidate in (os.path.join(base, name + ".py"), os.path.join(base, name, "__init__.py")):
                    if os.path.isfile(candidate):
                        found.add(candidate)
    return found


def for_settings(settings) -> Prefilter:
    return Prefilter((*settings.async_db_types, *settings.sync_db_calls, *settings.sql_sinks))
