"""The prefilter never changes results: every fixture, with and without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings

TESTS = Path(__file__).parent
SETS = {
    "rules": sorted((TESTS / "fixtures" / "rules").glob("*.py")),
    "projects": sorted((TESTS / "fixtures" / "projects").rglob("*.py")),
    "fixes": sorted((TESTS / "fixtures" / "fixes").glob("*.py")),
    "corpus": sorted((TESTS / "corpus").glob("*.py")),
    "examples": sorted((TESTS.parent / "examples").rglob("*.py")),
}


def _findings(files, use_prefilter):
    settings = Settings(select=("ADB", "ADB503"))
    results = lint_files([str(f) for f in files], settings, complete=True, use_prefilter=use_prefilter, jobs=1)
    return {(d.path, d.line, d.column, d.code, d.message) for r in results for d in r.diagnostics}


@pytest.mark.parametrize("name", sorted(SETS))
def test_same_findings_with_and_without_the_prefilter(name):
    files = SETS[name]
    with_gate = _findings(files, True)
    assert with_gate == _findings(files, False)
    assert with_gate  # every set has findings, so the comparison means something


def test_the_prefilter_skips_files_without_database_code(tmp_path):
    from asyncdb_lint.prefilter import Prefilter

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "db.py").write_text("import databases\ndatabase = databases.Database('sqlite://')\n")
    (tmp_path / "pkg" / "reexport.py").write_text("from .db import database\n")
    (tmp_path / "pkg" / "uses.py").write_text("from .reexport import database\n")
    (tmp_path / "pkg" / "maths.py").write_text("import math\n\ndef area(r):\n    return math.pi * r * r\n")
    gate = Prefilter()
    for name, expected in (("db.py", True), ("reexport.py", True), ("uses.py", True), ("maths.py", False)):
        path = tmp_path / "pkg" / name
        assert gate.relevant(str(path), path.read_bytes()) is expected, name
