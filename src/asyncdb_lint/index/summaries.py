"""Module skeletons for the project index, made once and kept in the cache directory.

An entry is keyed on the module's content, the tool's version and the skeleton
format - never its path - so pool workers, later runs and the flake8 plugin
share it: linting one file of a large project reads a few small entries instead
of parsing the modules it imports. Entries are written atomically; a corrupt,
truncated or foreign entry is a miss. Without a directory (``--no-cache``)
nothing is read or written.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Optional, Tuple

import libcst as cst

from asyncdb_lint import __version__
from asyncdb_lint.cache import content_hash, write_entry
from asyncdb_lint.index.skeleton import build_module, skeleton
from asyncdb_lint.source import SourceError, decode_source

FORMAT = 1  # bump when the skeleton's shape changes
_UNPARSABLE = "unparsable"


class SummaryStore:
    def __init__(self, cache_dir: Optional[str] = None):
        self.directory = os.path.join(cache_dir, f"summaries-v{FORMAT}") if cache_dir else None
        self._cache_root = cache_dir
        self.writable = True
        self.hits = self.misses = 0  # for the benchmark's and tests' eyes

    def module_of(self, path: str) -> Tuple[Optional[cst.Module], int]:
        """The module's skeleton as a LibCST module (None when it cannot be read or
        parsed), and the module's size in bytes."""
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None, 0
        return self._module(path, data), len(data)

    def _module(self, path: str, data: bytes) -> Optional[cst.Module]:
        entry = None
        if self.directory is not None:
            key = self._key(data)
            entry = os.path.join(self.directory, key[:2], key + ".json")
            stored = _load(entry)
            if stored == _UNPARSABLE:
                self.hits += 1
                return None
            if stored is not None:
                try:
                    module = build_module(stored)
                    self.hits += 1
                    return module
                except (ValueError, TypeError, AttributeError, RecursionError):
                    pass  # foreign or damaged data: made again below
        self.misses += 1
        made = _make(path, data)
        if entry is not None and self.writable:
            self.writable = write_entry(entry, made if made is not None else _UNPARSABLE, self._cache_root)
        return build_module(made) if made is not None else None

    @staticmethod
    def _key(data: bytes) -> str:
        return content_hash(f"{__version__}|{FORMAT}|".encode() + data)


def _make(path: str, data: bytes) -> Optional[list]:
    try:
        return skeleton(decode_source(path, data).text, path)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _load(entry: str):
    try:
        with open(entry, encoding="utf-8") as handle:
            stored: Dict = json.load(handle)
    except (OSError, ValueError):
        return None  # missing, corrupt or truncated: a miss
    if stored == _UNPARSABLE or (isinstance(stored, list) and stored[:1] == ["Module"]):
        return stored
    return None  # foreign
