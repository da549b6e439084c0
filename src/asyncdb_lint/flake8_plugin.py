"""The adapter flake8 loads: `flake8 --select ADB` runs the same checks as the CLI.

It reads the same `[tool.asyncdb-lint]` section (found from the current
directory, as flake8 is run from the project root); flake8's own `select`,
`ignore`, `per-file-ignores` and `noqa` apply on top. It never fixes.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator, List, Optional, Tuple, Type

from asyncdb_lint import __version__
from asyncdb_lint.checker import check_source
from asyncdb_lint.results import finish_project_rules
from asyncdb_lint.index.project import ProjectIndex
from asyncdb_lint.prefilter import Prefilter
from asyncdb_lint.prefilter import for_settings as prefilter_for
from asyncdb_lint.runner import index_salt, prepare
from asyncdb_lint.settings import Settings, SettingsError, load_settings
from asyncdb_lint.source import Source

# One of each per flake8 worker process.
_INDEX: Optional[ProjectIndex] = None
_PREFILTER: Optional[Prefilter] = None
_SETTINGS: Optional[Settings] = None
_CONFIG_ERROR: Optional[str] = None


def _setup() -> None:
    global _INDEX, _PREFILTER, _SETTINGS, _CONFIG_ERROR
    if _SETTINGS is not None or _CONFIG_ERROR is not None:
        return
    try:
        _SETTINGS = load_settings()
        prepare(_SETTINGS)
    except SettingsError as error:
        _CONFIG_ERROR = str(error)
        return
    _PREFILTER = prefilter_for(_SETTINGS)
    # The CLI's cache directory: a flake8 run after an earlier run reads imported
    # modules' skeletons and the index's answers instead of the modules themselves.
    _INDEX = ProjectIndex(
        gate=_PREFILTER.index_gate, cache_dir=os.path.join(_SETTINGS.root, _SETTINGS.cache_dir), salt=index_salt(_SETTINGS),
    )


class AsyncDbLintPlugin:
    name = "asyncdb-lint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: List[str]):
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, Type["AsyncDbLintPlugin"]]]:
        _setup()
        if _CONFIG_ERROR is not None:
            yield 1, 0, f"ADB000 asyncdb-lint configuration error: {_CONFIG_ERROR}", type(self)
            return
        assert _SETTINGS is not None and _INDEX is not None
        text = "".join(self.lines)
        result = check_source(
            Source(self.filename, None, text, "utf-8"), _SETTINGS, _INDEX, apply_noqa=False,
            prefilter=_PREFILTER, syntax_checked=True,
        )
        _INDEX.flush()
        # flake8 sees one file at a time: whole-tree rules (ADB205) cannot speak.
        finish_project_rules([result], _SETTINGS, complete=False)
        for diagnostic in result.diagnostics:
            yield diagnostic.line, diagnostic.column - 1, f"{diagnostic.code} {diagnostic.message}", type(self)
        for error in result.errors:
            yield 1, 0, f"ADB000 {error.describe()}", type(self)
