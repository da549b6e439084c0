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


def test_the_index_models_only_modules_that_can_matter(tmp_path):
    """A module reaching no DB library or framework is answered without parsing it."""
    from asyncdb_lint.index.project import ProjectIndex
    from asyncdb_lint.model.values import Opaque, ProjectModule
    from asyncdb_lint.prefilter import Prefilter

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "db.py").write_text("import databases\ndatabase = databases.Database('sqlite://')\n")
    (pkg / "helpers.py").write_text("import cmath\n\ndef area(r):\n    return cmath.pi * r * r\n")
    (pkg / "compat.py").write_text("from typing import Annotated\n\ndef area(r):\n    return r\n")
    index = ProjectIndex(gate=Prefilter().index_gate)
    assert index.export(str(pkg / "db.py"), "database") is not None
    assert isinstance(index.export(str(pkg / "helpers.py"), "area"), Opaque)  # known: nothing DB-related
    assert index.export(str(pkg / "compat.py"), "Annotated") is not None  # a re-exported typing name
    assert index.export(str(pkg / "__init__.py"), "helpers") == ProjectModule(str(pkg / "helpers.py"))
    modelled = set(index._models)
    assert str(pkg / "helpers.py") not in modelled and str(pkg / "__init__.py") not in modelled
    assert str(pkg / "db.py") in modelled and str(pkg / "compat.py") in modelled


def test_known_modules_cover_every_qualified_name_the_model_compares():
    """The index's gate trusts KNOWN_MODULES: a qualified name in the model or the
    rules whose module is missing there could be answered "nothing known" wrongly."""
    import ast
    import re

    from asyncdb_lint.model import libraries as lib

    source = TESTS.parent / "src" / "asyncdb_lint"
    # Not qualified names of a module: a file name, and Celery signal decorators matched as text.
    not_modules = {"__init__", "signals", "worker_init", "worker_process_init"}
    missing = set()
    for path in sorted((source / "model").glob("*.py")) + sorted((source / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", node.value):
                    root = node.value.split(".")[0]
                    if root not in lib.KNOWN_MODULES and root not in not_modules:
                        missing.add((path.name, node.value))
    assert not missing


def test_the_index_answers_the_same_when_it_keeps_almost_nothing(monkeypatch):
    """Letting models go (and answering re-exports and classes without them) changes no finding."""
    from asyncdb_lint.index import project

    files = SETS["projects"] + SETS["examples"]
    kept = _findings(files, True)
    monkeypatch.setattr(project, "_MAX_MODEL_BYTES", 1)
    assert _findings(files, True) == kept
    assert kept
