"""Never crash, never lose code: a failing rule is contained; fuzzed programs; real code."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from asyncdb_lint.checker import check_text
from asyncdb_lint.fixes import parses
from asyncdb_lint.runner import FixMode, lint_files
from asyncdb_lint.settings import Settings

GOOD = "import asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n"


def test_a_failing_rule_is_contained_to_its_file(tmp_path, monkeypatch):
    from asyncdb_lint import settings as settings_module
    from asyncdb_lint.rules import RULES_BY_CODE
    from asyncdb_lint.rules.base import Rule

    class Exploding(Rule):
        code = "ADB502"
        name = "exploding"
        summary = what_it_does = why_bad = example = use_instead = ""

        def check(self, model, report):
            if "explode" in model.module.code:
                raise ValueError("boom")

    real_rules = [RULES_BY_CODE["ADB101"]]
    monkeypatch.setattr(settings_module.Settings, "enabled_rules", lambda self: [*real_rules, Exploding()])
    (tmp_path / "a.py").write_text(GOOD + "# explode\n")
    (tmp_path / "b.py").write_text(GOOD)
    results = {Path(r.path).name: r for r in lint_files([str(tmp_path / "a.py"), str(tmp_path / "b.py")], Settings(), jobs=1)}
    assert [error.rule for error in results["a.py"].errors] == ["ADB502"]
    assert "please report it" in results["a.py"].errors[0].describe()
    assert [d.code for d in results["a.py"].diagnostics] == ["ADB101"]  # the other rules still ran
    assert [d.code for d in results["b.py"].diagnostics] == ["ADB101"]


def test_an_internal_error_makes_the_cli_exit_2(tmp_path, monkeypatch, capsys):
    from asyncdb_lint import cli
    from asyncdb_lint import settings as settings_module
    from asyncdb_lint.rules.base import Rule

    class Exploding(Rule):
        code = "ADB502"
        name = "exploding"
        summary = what_it_does = why_bad = example = use_instead = ""

        def check(self, model, report):
            raise ValueError("boom")

    monkeypatch.setattr(settings_module.Settings, "enabled_rules", lambda self: [Exploding()])
    (tmp_path / "a.py").write_text(GOOD)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--isolated", "--no-cache", str(tmp_path / "a.py")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "internal error in ADB502: ValueError: boom" in err and "Traceback" not in err


DB_SNIPPETS = st.sampled_from([
    "import asyncpg\n", "from databases import Database\ndb = Database('sqlite://')\n",
    "async def f(pool: 'asyncpg.Pool'):\n    pool.execute(f'SELECT {x}')\n",
    "async def g():\n    db.fetch_all('SELECT 1')\n    for r in db.iterate('q'):\n        pass\n",
    "def h():\n    with db.transaction():\n        db.execute('x')\n",
])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_fuzzed_programs_never_crash_and_fixes_always_parse(data):
    hypothesmith = pytest.importorskip("hypothesmith")
    program = data.draw(hypothesmith.from_grammar() | st.lists(DB_SNIPPETS, min_size=1, max_size=5).map("".join))
    result = check_text(program, settings=Settings(select=("ADB", "ADB503")))
    assert not result.errors, result.errors
    if result.fixes and result.module is not None:
        from asyncdb_lint.fixes import apply_fixes

        fixable = [fix for _diagnostic, fix in result.fixes if fix.changes]
        if fixable:
            fixed = apply_fixes(result.module, fixable[:1]).code
            assert parses(fixed)


def _installed_sources():
    purelib = Path(sysconfig.get_paths()["purelib"])
    packages = ["libcst", "flake8", "typer", "_pytest", "hypothesis", "click", "pathspec", "pyflakes", "pycodestyle"]
    files = []
    for package in packages:
        root = purelib / package
        if root.is_dir():
            files.extend(sorted(str(p) for p in root.rglob("*.py")))
    return files


def test_real_code_of_installed_packages_never_crashes():
    files = _installed_sources()
    assert len(files) > 200
    results = lint_files(files, Settings(select=("ADB", "ADB503")))
    errors = [error.describe() for result in results for error in result.errors]
    assert errors == []
    assert not [d for r in results for d in r.diagnostics if d.code == "ADB001" and "LibCST" in d.message]


def test_fixing_real_code_keeps_every_file_parseable(tmp_path):
    files = [f for f in _installed_sources() if "/libcst/" in f or "/_pytest/" in f][:400]
    copies = []
    for number, source in enumerate(files):
        target = tmp_path / f"{number}_{Path(source).name}"
        shutil.copyfile(source, target)
        copies.append((source, target))
    results = lint_files([str(t) for _s, t in copies], Settings(select=("ADB",)), fix=FixMode(unsafe=True))
    assert not [e for r in results for e in r.errors]
    for (source, target), result in zip(copies, results):
        if result.fixed:
            assert parses(target.read_text(encoding="utf-8"))
        else:
            assert target.read_bytes() == Path(source).read_bytes()
