"""Every fixture file is linted and its findings compared, exactly, with its markers."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from asyncdb_lint.rules import ALL_RULES
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings
from expectations import count_by_code, read_markers

FIXTURES = Path(__file__).parent / "fixtures"
RULE_FIXTURES = sorted((FIXTURES / "rules").glob("*.py"))
PROJECT_FIXTURES = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


PROJECT_RULES = {rule.code for rule in ALL_RULES if rule.project_rule}


def _lint(files, complete=False):
    """A fixture may turn on rules that are off by default with `# fixture-select: ADB503`."""
    extra = set()
    for path in files:
        extra.update(re.findall(r"#\s*fixture-select:\s*(ADB\d+)", Path(path).read_text(encoding="utf-8", errors="replace")))
    settings = Settings(select=("ADB", *sorted(extra)))
    results = {}
    for result in lint_files([str(f) for f in files], settings, complete=complete):
        assert not result.errors, result.errors
        results[os.path.abspath(result.path)] = {(d.line, d.code) for d in result.diagnostics}
    return results


def _compare(path: Path, found, skip_codes=frozenset()):
    expected, negatives = read_markers(path.read_text(encoding="utf-8", errors="replace"))
    expected = {(line, code) for line, code in expected if code not in skip_codes}
    assert found == expected, (
        f"{path.name}: missing {sorted(expected - found)}, unexpected {sorted(found - expected)}"
    )
    assert not (found & negatives)


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.name)
def test_rule_fixture(path: Path):
    found = _lint([path])[os.path.abspath(path)]
    _compare(path, found)


@pytest.mark.parametrize("project", PROJECT_FIXTURES, ids=lambda p: p.name)
def test_project_fixture(project: Path):
    """Multi-module fixtures: facts flow between modules through the project index."""
    files = sorted(project.rglob("*.py"))
    results = _lint(files, complete=True)
    for path in files:
        _compare(path, results[os.path.abspath(path)])


@pytest.mark.parametrize("project", PROJECT_FIXTURES, ids=lambda p: p.name)
def test_project_fixture_one_file_at_a_time(project: Path):
    """Linting a subset (as pre-commit or a build system does) finds the same things,
    except whole-tree rules, which stay silent when they cannot see the tree."""
    for path in sorted(project.rglob("*.py")):
        _compare(path, _lint([path])[os.path.abspath(path)], skip_codes=PROJECT_RULES)


def test_every_rule_has_at_least_as_many_negatives_as_positives():
    positives, negatives = Counter(), Counter()
    for path in FIXTURES.rglob("*.py"):
        expected, ok = read_markers(path.read_text(encoding="utf-8", errors="replace"))
        positives.update(count_by_code(expected))
        negatives.update(count_by_code(ok))
    for rule in ALL_RULES:
        if rule.code == "ADB001":
            continue
        assert positives[rule.code] > 0, f"{rule.code} has no positive fixture"
        assert negatives[rule.code] >= positives[rule.code], (
            f"{rule.code}: {negatives[rule.code]} negative fixtures < {positives[rule.code]} positive"
        )
