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
        names = "|".join(sorted(re.escape(word) for word in exporters if word))
        # Importing a DB library (or naming an in-house DB type) is what lets a
        # module hand a DB object to the files that import it.
        self._exports = re.compile(
            rb"^[ \t]*(?:from|import)[ \t]+(?:" + names.encode() + rb")\b|\b(?:" + "|".join(re.escape(c) for c in custom if c).encode() + rb")\b"
            if custom else rb"^[ \t]*(?:from|import)[ \t]+(?:" + names.encode() + rb")\b",
            re.MULTILINE,
        )
        self._modules: Dict[str, bool] = {}
        self._resolved: Dict[tuple, Set[str]] = {}

    def relevant(self, path: str, data: bytes) -> bool:
        if any(word in data for word in self._substrings) and self._tokens.search(data):
            return True
        return any(self._may_export_db(module) for module in self._imported_files(path, data))

    def _may_export_db(self, module_path: str, _depth: int = 0) -> bool:
        """Whether a module, or any project module it imports (transitively), imports a DB library.

        A search over the import graph: when it finds no exporter, nothing reachable
        from any module it visited exports either, so all of them are remembered
        as irrelevant; import cycles need no special care.
        """
        if module_path in self._modules:
            return self._modules[module_path]
        visited = {module_path}
        queue = [module_path]
        while queue:
            current = queue.pop()
            known = self._modules.get(current)
            if known is True:
                self._modules[module_path] = True
                return True
            if known is False:
                continue
            try:
                with open(current, "rb") as handle:
                    data = handle.read()
            except OSError:
                self._modules[module_path] = True  # cannot tell: analyse
                return True
            if self._exports.search(data):
                self._modules[current] = self._modules[module_path] = True
                return True
            for imported in self._imported_files(current, data):
                if imported not in visited:
                    visited.add(imported)
                    queue.append(imported)
        return self._remember(visited, False)

    def _remember(self, modules: Set[str], value: bool) -> bool:
        for module in modules:
            self._modules[module] = value
        return value

    def _imported_files(self, path: str, data: bytes) -> Set[str]:
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
