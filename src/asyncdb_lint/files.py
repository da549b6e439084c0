"""Paths given on the command line -> the Python files to lint.

Directories are walked for `*.py`/`*.pyi`, skipping well-known tool and
virtualenv directories, `exclude`/`extend-exclude` patterns, and what git
ignores (`.gitignore` files from the repository root down, and
`.git/info/exclude`). Files named explicitly are always linted.
"""

from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import pathspec

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist",
    "node_modules", "site-packages", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".asyncdb_lint_cache", ".eggs",
})
PYTHON_SUFFIXES = (".py", ".pyi")


class MissingPath(Exception):
    pass


class Ignores:
    """Exclude patterns and .gitignore files, with their base directories (the
    walk asks it of each path, the language server of each open file)."""

    def __init__(self, exclude: Sequence[str], root: str, respect_gitignore: bool):
        self.root = os.path.abspath(root)
        self.exclude = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
        self.respect_gitignore = respect_gitignore
        self._specs: Dict[str, Optional[pathspec.GitIgnoreSpec]] = {}
        self._chains: Dict[str, List[Tuple[str, pathspec.GitIgnoreSpec]]] = {}

    def ignored(self, path: str, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)
        if self.exclude is not None:
            relative = os.path.relpath(absolute, self.root).replace(os.sep, "/")
            if not relative.startswith("../") and self.exclude.match_file(relative + ("/" if is_dir else "")):
                return True
            if self.exclude.match_file(os.path.basename(absolute) + ("/" if is_dir else "")):
                return True
        if self.respect_gitignore:
            for base, spec in self._git_specs(os.path.dirname(absolute)):
                relative = os.path.relpath(absolute, base).replace(os.sep, "/")
                if spec.match_file(relative + ("/" if is_dir else "")):
                    return True
        return False

    def skips_directory(self, directory: str) -> bool:
        """Whether a walk passes over ``directory`` and everything below it."""
        name = os.path.basename(directory)
        return name in SKIPPED_DIRECTORIES or name.endswith(".egg-info") or self.ignored(directory, is_dir=True)

    def walk_skips(self, path: str, root: str) -> bool:
        """Whether walking ``root`` would pass over the file ``path``: a directory
        on the way is skipped, or the file itself is ignored."""
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        directory = os.path.abspath(root)
        if not relative.startswith(os.pardir):
            for part in relative.split(os.sep)[:-1]:
                directory = os.path.join(directory, part)
                if self.skips_directory(directory):
                    return True
        return self.ignored(path, is_dir=False)

    def _git_specs(self, directory: str) -> List[Tuple[str, pathspec.GitIgnoreSpec]]:
        """The ignore specs that apply in ``directory``: its own .gitignore and its parents'."""
        if directory not in self._chains:
            self._chains[directory] = self._find_git_specs(directory)
        return self._chains[directory]

    def _find_git_specs(self, directory: str) -> List[Tuple[str, pathspec.GitIgnoreSpec]]:
        specs = []
        current = directory
        while True:
            spec = self._spec_for(current)
            if spec is not None:
                specs.append((current, spec))
            if os.path.isdir(os.path.join(current, ".git")):
                break  # the repository root: nothing above it applies
            parent = os.path.dirname(current)
            if parent == current:
                return []  # not in a git repository: .gitignore files mean nothing
            current = parent
        return specs

    def _spec_for(self, directory: str) -> Optional[pathspec.GitIgnoreSpec]:
        if directory not in self._specs:
            lines: List[str] = []
            for name in (".gitignore", os.path.join(".git", "info", "exclude")):
                try:
                    with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                        lines.extend(handle.read().splitlines())
                except OSError:
                    pass
            self._specs[directory] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._specs[directory]


def discover(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    root: str = ".",
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> List[str]:
    """Directories are walked; files named explicitly are always included, unless
    ``force_exclude`` (pre-commit names every file) applies the excludes to them too."""
    ignores = Ignores(exclude, root, respect_gitignore)
    found: List[str] = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(_walk(path, ignores))
        elif os.path.exists(path) or os.path.islink(path):
            if not (force_exclude and ignores.ignored(path, is_dir=False)):
                found.append(path)
        else:
            raise MissingPath(path)
    return list(dict.fromkeys(found))


def _walk(root: str, ignores: Ignores) -> Iterator[str]:
    seen = set()
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        real = os.path.realpath(directory)
        if real in seen:  # a symlink loop
            subdirectories[:] = []
            continue
        seen.add(real)
        subdirectories[:] = sorted(
            name for name in subdirectories if not ignores.skips_directory(os.path.join(directory, name))
        )
        for filename in sorted(filenames):
            if filename.endswith(PYTHON_SUFFIXES):
                path = os.path.normpath(os.path.join(directory, filename))
                if not ignores.ignored(path, is_dir=False):
                    yield path
