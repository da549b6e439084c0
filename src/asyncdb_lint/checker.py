"""One file: source -> diagnostics.

Parse once, build one semantic model, let every enabled rule ask it, and only
then - for files that have findings - pay for positions and `noqa` lookup.
"""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from asyncdb_lint.diagnostics import Diagnostic, InternalError
from asyncdb_lint.results import FileResult, finish_project_rules, reports_unparsable
from asyncdb_lint.fixes import Fix, fix_edits
from asyncdb_lint.model.semantic import NO_INDEX, ProjectIndexProtocol, SemanticModel
from asyncdb_lint.noqa import is_suppressed, noqa_lines
from asyncdb_lint.rules import Finding
from asyncdb_lint.settings import Settings
from asyncdb_lint.prefilter import Prefilter
from asyncdb_lint.source import Source, SourceError, parse_source


def check_source(
    source: Source,
    settings: Settings,
    index: ProjectIndexProtocol = NO_INDEX,
    apply_noqa: bool = True,
    want_edits: bool = False,
    prefilter: Optional[Prefilter] = None,
    syntax_checked: bool = False,
) -> FileResult:
    """Lint one file. With ``want_edits``, each fix's text edits go into the diagnostic (JSON).

    With a ``prefilter``, a file that no rule can say anything about is not
    parsed at all: ADB001 speaks for the files the linter analyses.
    ``syntax_checked``: the caller already parsed it with Python's parser
    (flake8 hands plugins only files it could parse), so LibCST's parse suffices.
    """
    result = FileResult(source.path)
    if prefilter is not None:
        data = source.data if source.data is not None else source.text.encode("utf-8", "surrogateescape")
        if not prefilter.relevant(source.path, data):
            return result
    try:
        module = parse_source(source, syntax_checked)
    except SourceError as error:
        result.unparsable = True
        if reports_unparsable(settings, source.path):
            result.diagnostics.append(_unparsable(source.path, error))
        return result
    try:
        model = SemanticModel(module, path=source.path, index=index)
    except RecursionError:
        if reports_unparsable(settings, source.path):
            result.diagnostics.append(_unparsable(source.path, SourceError("file is nested too deeply to analyse")))
        return result
    except Exception as error:  # a bug of ours: contain it to this file
        result.errors.append(InternalError(source.path, "semantic model", f"{type(error).__name__}: {error}"))
        return result

    findings: List[Finding] = []
    for rule in settings.enabled_rules():
        try:
            rule.check(model, findings.append)
            if rule.project_rule:
                result.facts[rule.code] = rule.project_facts(model)
        except RecursionError:
            result.errors.append(InternalError(source.path, rule.code, "RecursionError (code nested too deeply)"))
        except Exception as error:  # a bug of ours: contain it to this rule and file
            result.errors.append(InternalError(source.path, rule.code, f"{type(error).__name__}: {error}"))
    ignored = settings.ignored_for(source.path)
    if ignored:
        findings = [f for f in findings if not f.code.startswith(ignored)]
    if findings:
        located = _locate(findings, model, source, apply_noqa)
        for diagnostic, finding in located:
            if finding.fix is not None:
                diagnostic = _with_fix(diagnostic, finding.fix, module, want_edits)
                result.fixes.append((diagnostic, finding.fix))
            result.diagnostics.append(diagnostic)
        if result.fixes:
            result.module = module
    result.diagnostics.sort()
    return result


def _with_fix(diagnostic: Diagnostic, fix: Fix, module: cst.Module, want_edits: bool) -> Diagnostic:
    edits: List[dict] = []
    if want_edits and fix.changes:
        try:
            edits = fix_edits(module, fix)
        except Exception:  # a fix that cannot even be rendered is not offered
            return diagnostic
    payload = {"applicability": fix.applicability, "message": fix.message, "edits": edits}
    return replace(diagnostic, fix=payload)


def _unparsable(path: str, error: SourceError) -> Diagnostic:
    return Diagnostic(path, error.line, error.column, error.line, error.column, "ADB001", error.message)


def _locate(
    findings: List[Finding], model: SemanticModel, source: Source, apply_noqa: bool
) -> List[Tuple[Diagnostic, Finding]]:
    positions = MetadataWrapper(model.module, unsafe_skip_copy=True).resolve(PositionProvider)
    noqa = noqa_lines(source.text) if apply_noqa else {}
    seen = set()
    located = []
    for finding in findings:
        where = positions.get(finding.node)
        if where is None:
            continue
        statement = positions.get(model.statement_of(finding.node))
        statement_line = statement.start.line if statement is not None else where.start.line
        if noqa and is_suppressed(noqa, finding.code, where.start.line, statement_line):
            continue
        key = (finding.code, where.start.line, where.start.column, finding.message)
        if key in seen:
            continue
        seen.add(key)
        located.append((Diagnostic(
            source.path,
            where.start.line,
            where.start.column + 1,
            where.end.line,
            where.end.column + 1,
            finding.code,
            finding.message,
        ), finding))
    return located


def check_text(
    text: str, path: str = "<string>", settings: Optional[Settings] = None, complete: bool = False
) -> FileResult:
    """Lint source given as text (tests, docs examples); ``complete``: it is the whole project."""
    settings = settings or Settings()
    result = check_source(Source(path, None, text, "utf-8"), settings)
    finish_project_rules([result], settings, complete)
    return result

