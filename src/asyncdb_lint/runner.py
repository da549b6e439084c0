"""Many files: discovery, the shared project index, and one result per file."""

from __future__ import annotations

import os
from typing import List, Sequence

from asyncdb_lint.checker import FileResult, check_source
from asyncdb_lint.diagnostics import Diagnostic, InternalError
from asyncdb_lint.model.project import ProjectIndex
from asyncdb_lint.settings import Settings
from asyncdb_lint.source import SourceError, read_source


def lint_files(files: Sequence[str], settings: Settings, complete: bool = False) -> List[FileResult]:
    """Lint ``files``; ``complete`` says they are the whole project (whole-tree rules may speak)."""
    roots = sorted({os.path.dirname(os.path.abspath(path)) for path in files})
    index = ProjectIndex(search_roots=_package_roots(roots))
    index.add_state_sources(files)
    results = [lint_file(path, settings, index) for path in files]
    finish_project_rules(results, settings, complete)
    return results


def finish_project_rules(results: List[FileResult], settings: Settings, complete: bool) -> None:
    """Drop a project rule's findings when every file's facts together overrule them."""
    for rule in settings.enabled_rules():
        if not rule.project_rule:
            continue
        facts = [result.facts.get(rule.code) for result in results]
        if not rule.keep_project_findings(facts, complete):
            for result in results:
                result.diagnostics = [d for d in result.diagnostics if d.code != rule.code]


def lint_file(path: str, settings: Settings, index: ProjectIndex) -> FileResult:
    try:
        source = read_source(path)
    except SourceError as error:
        result = FileResult(path)
        if settings.is_enabled("ADB001"):
            result.diagnostics.append(Diagnostic(path, error.line, error.column, error.line, error.column, "ADB001", error.message))
        return result
    try:
        return check_source(source, settings, index)
    except Exception as error:  # never let one file stop the run
        return FileResult(path, errors=[InternalError(path, "checker", f"{type(error).__name__}: {error}")])


def _package_roots(directories: List[str]) -> List[str]:
    """The directories that absolute imports of the linted packages start from."""
    roots = []
    for directory in directories:
        while os.path.isfile(os.path.join(directory, "__init__.py")):
            directory = os.path.dirname(directory)
        roots.append(directory)
    return list(dict.fromkeys(roots))
