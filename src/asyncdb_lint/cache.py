"""A ruff-style result cache: `.asyncdb_lint_cache/` (with a CACHEDIR.TAG).

An entry is keyed on the file's path and content, the settings and the tool
version, and holds the file's diagnostics and project-rule facts. It also
records what the result depended on: the other project files the analysis
read (through the project index), with their content hashes, and a stamp of
the run's import statements (what the prefilter's decision rests on). A warm
run re-analyses a file only when one of those changed. Entries are written
atomically; a corrupt, truncated or foreign entry is just a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict
from typing import Dict, Iterable, Iterator, Optional

from asyncdb_lint import __version__
from asyncdb_lint.diagnostics import Diagnostic
from asyncdb_lint.results import FileResult

FORMAT = 1
_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+\S+[ \t]+import|import)[ \t][^\n]*", re.MULTILINE)
_IMPORT_WORD = re.compile(rb"import[ \t]")  # every import line holds it
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache made by asyncdb-lint.\n"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def import_stamp(files_and_data: Iterable[tuple]) -> str:
    """A hash of every import statement of the run, by file."""
    digest = hashlib.blake2b(digest_size=16)
    for path, data in files_and_data:
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        for line in import_lines(data):
            digest.update(line + b"\n")
    return digest.hexdigest()


def import_lines(data: bytes) -> Iterator[bytes]:
    """The lines of a file that start an import statement.

    A multi-line regular expression tries every line start of the file; the
    word `import` is rare, so it is found first and only its lines are matched
    (five times faster on large trees: this runs over every file of a warm run).
    """
    last = -1
    for candidate in _IMPORT_WORD.finditer(data):
        start = data.rfind(b"\n", 0, candidate.start()) + 1
        if start == last:
            continue
        match = _IMPORT_LINE.match(data, start)
        if match:
            last = start
            yield match.group(0)


class FileHashes:
    """Content hashes of files, each file read once per run (None: unreadable)."""

    def __init__(self):
        self._known: Dict[str, Optional[str]] = {}

    def remember(self, path: str, data: Optional[bytes]) -> None:
        """A file just read elsewhere (None: unreadable)."""
        self._known[path] = content_hash(data) if data is not None else None

    def __call__(self, path: str) -> Optional[str]:
        if path not in self._known:
            try:
                with open(path, "rb") as handle:
                    self._known[path] = content_hash(handle.read())
            except OSError:
                self._known[path] = None
        return self._known[path]


class ResultCache:
    def __init__(self, directory: str, settings_fingerprint: str, hashes: Optional[FileHashes] = None):
        self.directory = os.path.join(directory, f"v{FORMAT}")
        self.salt = f"{__version__}|{settings_fingerprint}"
        self.file_hash = hashes or FileHashes()
        self.writable = True

    def _key(self, path: str, digest: str) -> str:
        return hashlib.blake2b(f"{self.salt}|{os.path.abspath(path)}|{digest}".encode(), digest_size=20).hexdigest()

    def _entry_path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")


    def load(self, path: str, digest: str, stamp: str) -> Optional[FileResult]:
        try:
            with open(self._entry_path(self._key(path, digest)), encoding="utf-8") as handle:
                entry = json.load(handle)
            if entry.get("stamp") != stamp:
                return None
            for dependency, expected in entry["deps"].items():
                if self.file_hash(dependency) != expected:
                    return None
            result = FileResult(path)
            result.diagnostics = [Diagnostic(**{**item, "path": path}) for item in entry["diagnostics"]]
            result.facts = entry["facts"]
            return result
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing, corrupt, truncated or foreign: a miss

    def store(self, path: str, digest: str, stamp: str, result: FileResult, deps: Iterable[str]) -> None:
        if not self.writable or result.errors:
            return  # never cache an internal error: the next run should try again
        entry = {
            "stamp": stamp,
            "deps": {dep: self.file_hash(dep) for dep in deps if os.path.abspath(dep) != os.path.abspath(path)},
            "diagnostics": [asdict(d) for d in result.diagnostics],
            "facts": result.facts,
        }
        self.writable = write_entry(self._entry_path(self._key(path, digest)), entry, os.path.dirname(self.directory))


def write_entry(target: str, entry: object, cache_root: str) -> bool:
    """Write one JSON cache entry atomically; False when the cache cannot be written
    (a read-only or full disk: the run goes on without it)."""
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _tag(cache_root)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, separators=(",", ":"))
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):
        return False
    return True


def _tag(directory: str) -> None:
    tag = os.path.join(directory, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        with open(tag, "w", encoding="utf-8") as handle:
            handle.write(_TAG)
        with open(os.path.join(directory, ".gitignore"), "w", encoding="utf-8") as handle:
            handle.write("*\n")
