"""What the project index keeps in the cache directory: module skeletons, and answers.

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
from asyncdb_lint.cache import FileHashes, content_hash, write_entry
from asyncdb_lint.index.skeleton import build_module, skeleton
from asyncdb_lint.model.values import (
    Extern, FuncSummary, Obj, Opaque, Pending, ProjectClass, ProjectInstance, ProjectModule, TypeAlias,
)
from asyncdb_lint.source import SourceError, decode_source

FORMAT = 1  # bump when the skeleton's shape changes
ANSWER_FORMAT = 4  # bump when what a stored answer means changes (2: project classes, opaque values; 4: starts_at_once)
_UNPARSABLE = "unparsable"


class SummaryStore:
    def __init__(self, cache_dir: Optional[str] = None, hashes: Optional[FileHashes] = None):
        """``hashes``: the run's file hashes, shared with the answers (each file hashed once)."""
        self.directory = os.path.join(cache_dir, f"summaries-v{FORMAT}") if cache_dir else None
        self._cache_root = cache_dir
        self._hashes = hashes or FileHashes()
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
            self._hashes.remember(path, data)
            key = content_hash(f"{__version__}|{FORMAT}|{self._hashes(path)}".encode())
            entry = os.path.join(self.directory, key[:2], key + ".json")
            stored = _load(entry)
            if stored == _UNPARSABLE:
                self.hits += 1
                return None
            module = _built(stored) if stored is not None else None
            if module is not None:
                self.hits += 1
                return module
            # missing, foreign or damaged: made again below
        self.misses += 1
        made = _make(path, data)
        if entry is not None and self.writable:
            self.writable = write_entry(entry, made if made is not None else _UNPARSABLE, self._cache_root)
        return _built(made) if made is not None else None


def _built(data: list) -> Optional[cst.Module]:
    """The LibCST module of skeleton data, or None for data LibCST refuses (damaged
    or foreign, read back from the cache): never a crash."""
    try:
        return build_module(data)
    except (ValueError, TypeError, SyntaxError, AttributeError, RecursionError):
        return None


def _make(path: str, data: bytes) -> Optional[list]:
    try:
        return skeleton(decode_source(path, data).text, path)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _load(entry: str):
    try:
        with open(entry, encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return None  # missing, corrupt or truncated: a miss
    if stored == _UNPARSABLE or (isinstance(stored, list) and stored[:1] == ["Module"]):
        return stored
    return None  # foreign


class AnswerStore:
    """What names of a module hold, as the index answered them, kept across runs.

    An answer is kept with the content hash of every project file it rests on
    (the module, the modules it imports from, and everything their models had
    read before), so it stands while none of them changes. It is keyed on the
    module's path and a salt for all else an answer depends on: the version,
    the configured in-house names, the search roots, the prefilter's gate.
    Answers that rest on anything else (an import cycle cut short, the gate's
    guess, `app.state`) are never stored.
    """

    def __init__(self, cache_dir: str, salt: str, hashes: Optional[FileHashes] = None):
        self.directory = os.path.join(cache_dir, f"answers-v{ANSWER_FORMAT}")
        self._cache_root = cache_dir
        self._salt = f"{__version__}|{ANSWER_FORMAT}|{salt}"
        self._entries: Dict[str, dict] = {}
        self._dirty: Dict[str, dict] = {}
        self.file_hash = hashes or FileHashes()
        self.writable = True


    def load(self, path: str, name: str):
        """``(value, deps)`` or None when nothing valid is stored."""
        entry = self._entry(path)
        stored = entry["names"].get(name)
        if not isinstance(stored, list) or len(stored) != 2 or not isinstance(stored[1], dict):
            return None
        deps = stored[1]
        if any(self.file_hash(dep) != digest for dep, digest in deps.items()):
            return None
        try:
            return decode_value(stored[0]), list(deps)
        except (ValueError, TypeError, KeyError, IndexError):
            return None

    def store(self, path: str, name: str, value, deps) -> None:
        encoded = encode_value(value)
        if encoded is _UNSTORABLE:
            return
        hashes = {dep: self.file_hash(dep) for dep in sorted(deps)}
        if None in hashes.values():
            return
        entry = self._entry(path)
        entry["names"][name] = [encoded, hashes]
        self._dirty[path] = entry

    def flush(self) -> None:
        """Write what this run learnt (after each file: a pool worker has no last word)."""
        for path, entry in self._dirty.items():
            if self.writable:
                self.writable = write_entry(self._entry_file(path), entry, self._cache_root)
        self._dirty = {}

    def _entry(self, path: str) -> dict:
        entry = self._entries.get(path)
        if entry is None:
            source = self.file_hash(path)
            entry = None
            try:
                with open(self._entry_file(path), encoding="utf-8") as handle:
                    entry = json.load(handle)
            except (OSError, ValueError):
                pass
            if not (isinstance(entry, dict) and entry.get("source") == source and isinstance(entry.get("names"), dict)):
                entry = {"source": source, "names": {}}  # missing, stale, corrupt or foreign
            self._entries[path] = entry
        return entry

    def _entry_file(self, path: str) -> str:
        key = content_hash(f"{self._salt}|{os.path.abspath(path)}".encode("utf-8", "surrogateescape"))
        return os.path.join(self.directory, key[:2], key + ".json")


_UNSTORABLE = object()


def encode_value(value):
    """A portable value as JSON data (a value holding a model's own nodes cannot be stored)."""
    if value is None:
        return None
    if isinstance(value, Obj):
        return ["Obj", value.kind]
    if isinstance(value, Pending):
        return ["Pending", value.mode, value.kind, value.api, value.user, value.evidence, value.starts_at_once]
    if isinstance(value, Extern):
        return ["Extern", value.qualname]
    if isinstance(value, TypeAlias):
        return ["TypeAlias", value.kind]
    if isinstance(value, ProjectModule):
        return ["ProjectModule", value.path]
    if isinstance(value, (ProjectClass, ProjectInstance)):
        return [type(value).__name__, value.path, value.name]
    if isinstance(value, Opaque):
        return ["Opaque", value.what]
    if isinstance(value, FuncSummary):
        returns = encode_value(value.returns)
        return _UNSTORABLE if returns is _UNSTORABLE else ["FuncSummary", returns, value.dependency]
    return _UNSTORABLE


def decode_value(data):
    if data is None:
        return None
    kind = data[0]
    if kind == "Obj":
        return Obj(_text(data[1]))
    if kind == "Pending":
        return Pending(_text(data[1]), _optional_text(data[2]), _text(data[3]), bool(data[4]), bool(data[5]), bool(data[6]))
    if kind == "Extern":
        return Extern(_text(data[1]))
    if kind == "TypeAlias":
        return TypeAlias(_text(data[1]))
    if kind == "ProjectModule":
        return ProjectModule(_text(data[1]))
    if kind == "ProjectClass":
        return ProjectClass(_text(data[1]), _text(data[2]))
    if kind == "ProjectInstance":
        return ProjectInstance(_text(data[1]), _text(data[2]))
    if kind == "Opaque":
        return Opaque(_text(data[1]))
    if kind == "FuncSummary":
        return FuncSummary(decode_value(data[1]), _optional_text(data[2]))
    raise ValueError(f"unknown value {kind!r}")


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _optional_text(value) -> Optional[str]:
    return None if value is None else _text(value)
