"""Never crash, never lose code: a failing rule is contained; fuzzed programs; real code."""

from __future__ import annotations

import shutil
import sysconfig
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from asyncdb_lint.checker import check_text
from asyncdb_lint.fixes import parses
from asyncdb_lint.model.semantic import NO_INDEX
from asyncdb_lint.runner import FixMode, lint_files
from asyncdb_lint.settings import Settings
from helpers import injected_rule, run_only_rules

GOOD = "import asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n"


def test_a_failing_rule_is_contained_to_its_file(tmp_path, monkeypatch):
    from asyncdb_lint.rules import RULES_BY_CODE

    def explode_on_request(rule, model, report):
        if "explode" in model.module.code:
            raise ValueError("boom")

    run_only_rules(monkeypatch, RULES_BY_CODE["ADB101"], injected_rule("ADB502", explode_on_request))
    (tmp_path / "a.py").write_text(GOOD + "# explode\n")
    (tmp_path / "b.py").write_text(GOOD)
    results = {Path(r.path).name: r for r in lint_files([str(tmp_path / "a.py"), str(tmp_path / "b.py")], Settings(), jobs=1)}
    assert [error.rule for error in results["a.py"].errors] == ["ADB502"]
    assert "please report it" in results["a.py"].errors[0].describe()
    assert [d.code for d in results["a.py"].diagnostics] == ["ADB101"]  # the other rules still ran
    assert [d.code for d in results["b.py"].diagnostics] == ["ADB101"]


def test_an_internal_error_makes_the_cli_exit_2(tmp_path, monkeypatch, capsys):
    from asyncdb_lint import cli

    def explode(rule, model, report):
        raise ValueError("boom")

    run_only_rules(monkeypatch, injected_rule("ADB502", explode))
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


@given(data=st.data())
def test_fuzzed_programs_never_crash_and_fixes_always_parse(data):
    hypothesmith = pytest.importorskip("hypothesmith")
    program = data.draw(hypothesmith.from_grammar() | st.lists(DB_SNIPPETS, min_size=1, max_size=5).map("".join))
    chosen = Settings(select=("ADB", "ADB503"))
    result = check_text(program, settings=chosen)
    assert not result.errors, result.errors
    if any(fix.changes for _diagnostic, fix in result.fixes):
        from asyncdb_lint.runner import fix_source
        from asyncdb_lint.source import Source

        fixed_result, fixed = fix_source(Source("fuzz.py", None, program, "utf-8"), chosen, NO_INDEX, FixMode(unsafe=True))
        assert not fixed_result.errors
        assert parses(fixed.text)
        again_result, again = fix_source(fixed, chosen, NO_INDEX, FixMode(unsafe=True))
        assert again.text == fixed.text and again_result.fixed == 0


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


def test_symlink_loops_deleted_files_and_newer_syntax(tmp_path):
    from asyncdb_lint.files import discover

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "x.py").symlink_to(tmp_path / "y.py")
    (tmp_path / "y.py").symlink_to(tmp_path / "x.py")
    (tmp_path / "gone.py").write_text(GOOD)
    (tmp_path / "pep695.py").write_text("import asyncpg\ntype Pair = tuple[int, int]\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n")
    files = discover([str(tmp_path)])
    (tmp_path / "gone.py").unlink()  # deleted between discovery and reading
    results = {Path(r.path).name: r for r in lint_files(files, Settings(), jobs=1)}
    assert not [e for r in results.values() for e in r.errors]
    assert [d.code for d in results["gone.py"].diagnostics] == ["ADB001"]
    assert [d.code for d in results["x.py"].diagnostics] == ["ADB001"]
    pep695 = [d.code for d in results["pep695.py"].diagnostics]
    assert pep695 == ([] if sys.version_info >= (3, 12) else ["ADB001"])


def test_a_five_megabyte_generated_file(tmp_path):
    big = tmp_path / "generated.py"
    big.write_text("".join(f"value_{n} = {n}\n" for n in range(400_000)))
    assert big.stat().st_size > 5_000_000
    result = lint_files([str(big)], Settings(), jobs=1)[0]
    assert result.diagnostics == [] and result.errors == []


def test_two_hundred_levels_of_nesting(tmp_path):
    deep = tmp_path / "deep.py"
    deep.write_text("import asyncpg\nx = " + "[" * 200 + "]" * 200 + "\n")
    result = lint_files([str(deep)], Settings(), jobs=1)[0]
    assert result.errors == [] and [d.code for d in result.diagnostics] in ([], ["ADB001"])


def test_a_file_changed_during_the_run_is_left_alone(tmp_path):
    from asyncdb_lint.fixes import WriteRefused, write_atomically

    path = tmp_path / "app.py"
    path.write_text("edited by someone else\n")
    with pytest.raises(WriteRefused, match="changed while it was being fixed"):
        write_atomically(str(path), b"fixed\n", b"what we read\n")
    assert path.read_text() == "edited by someone else\n"


def test_a_fix_run_killed_midway_leaves_every_file_old_or_new(tmp_path):
    import signal
    import subprocess
    import time

    before = "from databases import Database\n\ndatabase = Database('sqlite://')\n\n\nasync def f():\n" + "".join(
        f"    database.execute('SELECT {n}')\n" for n in range(60)
    )
    after = before.replace("    database.execute", "    await database.execute")
    tree = tmp_path / "tree"
    tree.mkdir()
    for n in range(400):
        (tree / f"m{n}.py").write_text(before)
    process = subprocess.Popen([sys.executable, "-m", "asyncdb_lint", "--isolated", "--no-cache", "--fix", str(tree)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    states = {(tree / f"m{n}.py").read_text() for n in range(400)}
    assert states <= {before, after}  # never a torn file, whenever the kill landed
