"""The adapter flake8 loads: `flake8 --select ADB` runs the same checks as the CLI.

flake8 applies its own `noqa`, `select` and `ignore`, so every enabled-by-default
rule runs here and `noqa` is left to flake8.
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Tuple, Type

from asyncdb_lint import __version__
from asyncdb_lint.checker import check_source
from asyncdb_lint.model.project import ProjectIndex
from asyncdb_lint.runner import finish_project_rules
from asyncdb_lint.settings import Settings
from asyncdb_lint.source import Source

_INDEX: Optional[ProjectIndex] = None  # one per flake8 worker process
_SETTINGS = Settings()


class AsyncDbLintPlugin:
    name = "asyncdb-lint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: List[str]):
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, Type["AsyncDbLintPlugin"]]]:
        global _INDEX
        if _INDEX is None:
            _INDEX = ProjectIndex()
        text = "".join(self.lines)
        result = check_source(Source(self.filename, None, text, "utf-8"), _SETTINGS, _INDEX, apply_noqa=False)
        # flake8 sees one file at a time: whole-tree rules (ADB205) cannot speak.
        finish_project_rules([result], _SETTINGS, complete=False)
        for diagnostic in result.diagnostics:
            yield diagnostic.line, diagnostic.column - 1, f"{diagnostic.code} {diagnostic.message}", type(self)
        for error in result.errors:
            yield 1, 0, f"ADB000 {error.describe()}", type(self)
