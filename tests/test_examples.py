"""The bundled example app shows real findings for every implemented rule it annotates."""

from __future__ import annotations

import os

from asyncdb_lint.rules import RULES_BY_CODE
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings
from expectations import read_markers
from helpers import REPO

EXAMPLES = REPO / "examples"


def test_example_app_findings_match_its_annotations():
    files = sorted(EXAMPLES.rglob("*.py"))
    results = {os.path.abspath(r.path): r for r in lint_files([str(f) for f in files], Settings(select=("ADB",)))}
    total = 0
    for path in files:
        expected, negatives = read_markers(path.read_text(encoding="utf-8"))
        # Annotations may name rules of later issues; compare the implemented ones.
        expected = {(line, code) for line, code in expected if code in RULES_BY_CODE}
        found = {(d.line, d.code) for d in results[os.path.abspath(path)].diagnostics}
        assert found == expected, f"{path.name}: missing {sorted(expected - found)}, unexpected {sorted(found - expected)}"
        total += len(found)
    assert total >= 8
