"""Output formats: each takes the diagnostics of a run and returns text."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Callable, Dict, Optional, Sequence

from asyncdb_lint import __version__
from asyncdb_lint.diagnostics import Diagnostic
from asyncdb_lint.catalogue import BY_CODE

PROJECT_URL = "https://github.com/asyncdb-lint/asyncdb-lint"
RULE_DOCS_URL = PROJECT_URL + "/blob/main/docs/rules/{code}.md"


def rule_url(code: str) -> str:
    return RULE_DOCS_URL.format(code=code)


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    return diagnostic.applicability == "safe" or (unsafe and diagnostic.applicability == "unsafe")


class Style:
    """ANSI colour, only for a terminal and never with NO_COLOR set."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream) -> "Style":
        return cls(hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ)

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


def text(diagnostics: Sequence[Diagnostic], unsafe: bool = False, show_source: bool = False,
         style: Optional[Style] = None) -> str:
    """`path:line:col: CODE [*] message`; `[*]` marks what `--fix` (or `--unsafe-fixes`) would fix."""
    style = style or Style(False)
    out = []
    lines_cache: Dict[str, list] = {}
    for d in diagnostics:
        marker = " [*]" if fixable(d, unsafe) else ""
        out.append(
            f"{style(d.path, '1')}:{d.line}:{d.column}: {style(d.code, '1;31')}{style(marker, '36')} {d.message}\n"
        )
        if show_source:
            source_line = _source_line(d.path, d.line, lines_cache)
            if source_line is not None:
                out.append(f"    {source_line}\n")
                width = max(1, (d.end_column - d.column) if d.end_line == d.line else len(source_line) - d.column + 1)
                out.append("    " + " " * (d.column - 1) + style("^" * width, "1;31") + "\n")
    return "".join(out)


def _source_line(path: str, line: int, cache: Dict[str, list]) -> Optional[str]:
    if path not in cache:
        try:
            with open(path, "rb") as handle:
                from asyncdb_lint.source import decode_source, split_lines

                cache[path] = split_lines(decode_source(path, handle.read()).text)
        except Exception:
            cache[path] = []
    lines = cache[path]
    return lines[line - 1].rstrip() if 0 < line <= len(lines) else None


def concise(diagnostics: Sequence[Diagnostic], unsafe: bool = False, **_) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def _json_item(d: Diagnostic) -> dict:
    item = d.as_json()
    item["url"] = rule_url(d.code)
    return item


def json_array(diagnostics: Sequence[Diagnostic], **_) -> str:
    return json.dumps([_json_item(d) for d in diagnostics], indent=2) + "\n"


def json_lines(diagnostics: Sequence[Diagnostic], **_) -> str:
    return "".join(json.dumps(_json_item(d)) + "\n" for d in diagnostics)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: Sequence[Diagnostic], **_) -> str:
    """GitHub Actions workflow commands: annotations on the pull request."""
    return "".join(
        f"::error file={_escape_property(d.path)},line={d.line},col={d.column},endLine={d.end_line},"
        f"endColumn={d.end_column},title={d.code}::{_escape_data(d.message)}\n"
        for d in diagnostics
    )


def sarif(diagnostics: Sequence[Diagnostic], **_) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it; fixes as artifactChanges."""
    from asyncdb_lint.rules import ALL_RULES  # the rules' documentation goes into the log

    rules = [
        {
            "id": rule.code,
            "name": "".join(part.capitalize() for part in rule.name.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.what_it_does.split())},
            "help": {"text": rule.docs(), "markdown": rule.docs()},
            "helpUri": rule_url(rule.code),
            "defaultConfiguration": {"level": "error" if rule.default_enabled else "none"},
            "properties": {"tags": ["asyncdb-lint"]},
        }
        for rule in ALL_RULES
    ]
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    results = []
    for d in diagnostics:
        uri = d.path.replace(os.sep, "/")
        result = {
            "ruleId": d.code,
            "ruleIndex": index.get(d.code, 0),
            "level": "error",
            "message": {"text": d.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {
                        "startLine": d.line, "startColumn": d.column,
                        "endLine": d.end_line, "endColumn": max(d.end_column, d.column + 1) if d.end_line == d.line else d.end_column,
                    },
                }
            }],
        }
        if d.fix and d.fix.get("edits"):
            result["fixes"] = [{
                "description": {"text": d.fix["message"]},
                "artifactChanges": [{
                    "artifactLocation": {"uri": uri},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": edit["line"], "startColumn": edit["column"],
                                "endLine": edit["end_line"], "endColumn": edit["end_column"],
                            },
                            "insertedContent": {"text": edit["content"]},
                        }
                        for edit in d.fix["edits"]
                    ],
                }],
            }]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "asyncdb-lint",
                "version": __version__,
                "informationUri": PROJECT_URL,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def gitlab(diagnostics: Sequence[Diagnostic], **_) -> str:
    """GitLab Code Quality (a Code Climate subset): one issue per finding.

    The fingerprint must stay the same while the finding does, so that GitLab
    can tell new findings from old ones in a merge request: it hashes the code,
    the path and the text of the flagged line (not its number, which moves when
    lines are added above), with an occurrence count for identical lines.
    """
    lines_cache: Dict[str, list] = {}
    seen: Counter = Counter()
    issues = []
    for d in diagnostics:
        source = " ".join((_source_line(d.path, d.line, lines_cache) or "").split())
        key = (d.code, d.path.replace(os.sep, "/"), source)
        seen[key] += 1
        fingerprint = hashlib.sha256("\0".join((*key, str(seen[key]))).encode("utf-8")).hexdigest()
        issues.append({
            "type": "issue",
            "check_name": d.code,
            "description": f"{d.code} {d.message}",
            "content": {"body": f"See {rule_url(d.code)}"},
            "categories": ["Bug Risk"],
            "severity": "major",
            "fingerprint": fingerprint,
            "location": {
                "path": d.path.replace(os.sep, "/"),
                "lines": {"begin": d.line, "end": d.end_line},
            },
        })
    return json.dumps(issues, indent=2) + "\n"


def junit(diagnostics: Sequence[Diagnostic], **_) -> str:
    """JUnit XML, as CI test-report readers take it: a test suite per file with
    findings, a failing test case per finding; a clean run is one passing case."""
    from xml.etree import ElementTree as ET

    by_path: Dict[str, list] = {}
    for d in diagnostics:
        by_path.setdefault(d.path.replace(os.sep, "/"), []).append(d)
    root = ET.Element("testsuites", name="asyncdb-lint", tests=str(max(1, len(diagnostics))),
                      failures=str(len(diagnostics)), errors="0")
    for path, found in by_path.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(found)), failures=str(len(found)),
                              errors="0", skipped="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"{d.code} at {d.line}:{d.column}", classname=path,
                                 file=path, line=str(d.line))
            failure = ET.SubElement(case, "failure", message=d.message, type=d.code)
            failure.text = f"{path}:{d.line}:{d.column}: {d.code} {d.message}\n{rule_url(d.code)}"
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", name="asyncdb-lint", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="asyncdb-lint")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def statistics(diagnostics: Sequence[Diagnostic], unsafe: bool = False, **_) -> str:
    """A count per code, with how many of them a fix run would fix."""
    counts = Counter(d.code for d in diagnostics)
    fixes = Counter(d.code for d in diagnostics if fixable(d, unsafe))
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = BY_CODE.get(code)
        name = rule.name if rule else ""
        mark = "[*]" if fixes[code] == count else ("[-]" if fixes[code] else "   ")
        lines.append(f"{count:5}\t{code}\t{mark} {name}\n")
    return "".join(lines)


FORMATS: Dict[str, Callable[..., str]] = {
    "text": text,
    "concise": concise,
    "json": json_array,
    "json-lines": json_lines,
    "github": github,
    "sarif": sarif,
    "gitlab": gitlab,
    "junit": junit,
}

__all__ = ["FORMATS", "Style", "fixable", "rule_url", "statistics"]
