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

import os
import re
from typing import Dict, Iterable, Optional, Set

from asyncdb_lint.model import libraries as lib

_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([^#\n]+)|import[ \t]+([^#\n]+))", re.MULTILINE)


def _token_pattern(extra: Iterable[str]) -> "re.Pattern[bytes]":
    words = set(lib.LIBRARY_MODULES) | set(lib.UNTRACED_SQL_METHODS) | {
        "on_event", "add_event_handler", "lifespan", "Depends", "Security",
    }
    words |= {name.rsplit(".", 1)[-1] for name in extra} | {name.split(".")[0] for name in extra}
    alternatives = "|".join(sorted(re.escape(word) for word in words if word))
    return re.compile(rb"(?:\b(?:" + alternatives.encode() + rb")\b|\.state\.)")


class Prefilter:
    """Answers `relevant(path, data)`, remembering project modules it scanned."""

    def __init__(self, custom_names: Iterable[str] = ()):
        self._tokens = _token_pattern(custom_names)
        self._modules: Dict[str, bool] = {}

    def relevant(self, path: str, data: bytes, depth: int = 0) -> bool:
        if self._tokens.search(data):
            return True
        if depth > 6:
            return True  # deep re-export chains: don't guess, analyse
        return any(self._module_relevant(module, depth) for module in self._imported_files(path, data))

    def _module_relevant(self, module_path: str, depth: int) -> bool:
        if module_path not in self._modules:
            self._modules[module_path] = True  # assume relevant while scanning (import cycles)
            try:
                with open(module_path, "rb") as handle:
                    data = handle.read()
            except OSError:
                return True
            self._modules[module_path] = self.relevant(module_path, data, depth + 1)
        return self._modules[module_path]

    def _imported_files(self, path: str, data: bytes) -> Set[str]:
        """Files of the project this file imports from (relative or absolute)."""
        found: Set[str] = set()
        if b"import" not in data:
            return found
        directory = os.path.dirname(os.path.abspath(path))
        roots = _search_roots(directory)
        for match in _IMPORT.finditer(data):
            if match.group(3) is not None:
                modules = [part.strip().split(" as ")[0].strip() for part in match.group(3).decode("utf-8", "replace").split(",")]
                for module in modules:
                    found.update(_resolve(module, roots, ()))
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
                found.update(_resolve(module.lstrip("."), [base], names))
            else:
                found.update(_resolve(module, roots, names))
        return found


def _search_roots(directory: str) -> list:
    roots = []
    top = directory
    while os.path.isfile(os.path.join(top, "__init__.py")):
        top = os.path.dirname(top)
    roots.append(top)
    cwd = os.getcwd()
    roots.extend([cwd, os.path.join(cwd, "src")])
    return list(dict.fromkeys(roots))


def _resolve(module: str, roots: Iterable[str], names: Iterable[str]) -> Set[str]:
    """The files a module (and, for `from module import name`, submodules) may be."""
    found: Set[str] = set()
    parts = [p for p in module.split(".") if p]
    for root in roots:
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


def custom_names(settings) -> Optional[tuple]:
    return (*settings.async_db_types, *settings.sync_db_calls, *settings.sql_sinks)
