"""Paths given on the command line -> the Python files to lint."""

from __future__ import annotations

import os
from typing import Iterator, List, Sequence

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist",
    "node_modules", "site-packages", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".asyncdb_lint_cache", ".eggs",
})
PYTHON_SUFFIXES = (".py", ".pyi")


class MissingPath(Exception):
    pass


def discover(paths: Sequence[str]) -> List[str]:
    """Files named explicitly are always included; directories are walked."""
    found: List[str] = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(_walk(path))
        elif os.path.exists(path) or os.path.islink(path):
            found.append(path)
        else:
            raise MissingPath(path)
    return list(dict.fromkeys(found))


def _walk(root: str) -> Iterator[str]:
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(
            name for name in subdirectories if name not in SKIPPED_DIRECTORIES and not name.endswith(".egg-info")
        )
        for filename in sorted(filenames):
            if filename.endswith(PYTHON_SUFFIXES):
                yield os.path.normpath(os.path.join(directory, filename))
