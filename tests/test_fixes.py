"""Fixes: before/after pairs compared byte for byte, idempotence, and safe writing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from asyncdb_lint.fixes import parses
from asyncdb_lint.runner import FixMode, lint_files
from asyncdb_lint.settings import Settings
from helpers import assert_no_traceback, injected_rule, lint, run_only_rules

FIXES = Path(__file__).parent / "fixtures" / "fixes"
PAIRS = sorted(p for p in FIXES.glob("*.py") if not p.name.endswith(".fixed.py"))


def _mode(path: Path) -> FixMode:
    return FixMode(unsafe="# fix-mode: unsafe" in path.read_text(encoding="utf-8"))


def _fix(path: Path, mode: FixMode):
    return lint_files([str(path)], Settings(select=("ADB",)), fix=mode)[0]


@pytest.mark.parametrize("before", PAIRS, ids=lambda p: p.name)
def test_fix_matches_expected_output_byte_for_byte(before: Path, tmp_path: Path):
    after = before.with_name(before.name[:-3] + ".fixed.py")
    work = tmp_path / before.name
    shutil.copyfile(before, work)
    result = _fix(work, _mode(before))
    assert not result.errors, result.errors
    assert work.read_bytes() == after.read_bytes()
    assert parses(work.read_text(encoding="utf-8"))
    assert (result.fixed > 0) == (before.read_bytes() != after.read_bytes())


@pytest.mark.parametrize("before", PAIRS, ids=lambda p: p.name)
def test_second_fix_run_changes_nothing(before: Path, tmp_path: Path):
    work = tmp_path / before.name
    shutil.copyfile(before.with_name(before.name[:-3] + ".fixed.py"), work)
    result = _fix(work, _mode(before))
    assert result.fixed == 0
    assert work.read_bytes() == before.with_name(before.name[:-3] + ".fixed.py").read_bytes()


BAD = "from databases import Database\n\ndatabase = Database('sqlite://')\n\n\nasync def f():\n    database.execute('SELECT 1')\n"
GOOD = BAD.replace("    database.execute", "    await database.execute")


def test_crlf_is_kept(tmp_path):
    path = tmp_path / "crlf.py"
    path.write_bytes(BAD.replace("\n", "\r\n").encode())
    _fix(path, FixMode())
    assert path.read_bytes() == GOOD.replace("\n", "\r\n").encode()


def test_latin1_with_cookie_is_kept(tmp_path):
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\n# café\n" + BAD
    path.write_bytes(source.encode("latin-1"))
    _fix(path, FixMode())
    assert path.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + GOOD).encode("latin-1")


def test_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    _fix(path, FixMode())
    assert path.read_bytes() == b"\xef\xbb\xbf" + GOOD.encode()


def test_mode_is_kept(tmp_path):
    path = tmp_path / "script.py"
    path.write_text(BAD)
    path.chmod(0o750)
    _fix(path, FixMode())
    assert path.read_text() == GOOD
    assert (path.stat().st_mode & 0o777) == 0o750


def test_symlink_stays_a_link_and_its_target_is_fixed(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(BAD)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    _fix(link, FixMode())
    assert link.is_symlink()
    assert target.read_text() == GOOD


def test_read_only_file_is_left_alone_with_a_message(tmp_path):
    path = tmp_path / "readonly.py"
    path.write_text(BAD)
    path.chmod(0o444)
    try:
        result = lint("--fix", "readonly.py", cwd=tmp_path)
        assert_no_traceback(result)
        assert "readonly.py: not fixed, because it is read-only" in result.stderr
        assert path.read_text() == BAD
        assert result.returncode == 1
    finally:
        path.chmod(0o644)


def test_no_temporary_files_are_left_behind(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(BAD)
    _fix(path, FixMode())
    assert sorted(os.listdir(tmp_path)) == ["app.py"]


def test_cli_fix_summary_and_exit_codes(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(BAD + "\n\ndef g():\n    database.execute('SELECT 2')\n")
    diff = lint("--diff", "app.py", cwd=tmp_path)
    assert diff.returncode == 1
    assert "-    database.execute('SELECT 1')" in diff.stdout and "+    await database.execute('SELECT 1')" in diff.stdout
    assert path.read_text().count("await") == 0  # --diff writes nothing
    fixed = lint("--fix", "app.py", cwd=tmp_path)
    assert fixed.returncode == 1  # the unsafe ADB105 finding remains
    assert "Found 2 errors (1 fixed, 1 remaining)." in fixed.stderr
    assert "1 more fix available with `--fix --unsafe-fixes`." in fixed.stderr
    assert "ADB105" in fixed.stdout
    unsafe = lint("--fix", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert unsafe.returncode == 0
    assert "async def g():\n    await database.execute('SELECT 2')" in path.read_text()
    again = lint("--diff", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def test_json_reports_unsafe_and_display_only_fixes():
    import json

    result = lint("--format", "json", "--select", "ADB4", str(FIXES / "placeholders_not_fixed.py"))
    payload = json.loads(result.stdout)
    assert payload and {item["fix"]["applicability"] for item in payload} == {"display-only"}
    assert all(item["fix"]["edits"] == [] and item["fix"]["message"] for item in payload)
    result = lint("--format", "json", "--select", "ADB401", str(FIXES / "placeholders.py"))
    payload = json.loads(result.stdout)
    assert payload and all(item["fix"]["applicability"] == "unsafe" and item["fix"]["edits"] for item in payload)


def test_json_edits_number_lines_as_the_parser_does():
    """A form feed is no line break: the edit lands on the finding's own line."""
    import json

    payload = json.loads(lint("--format", "json", str(FIXES / "form_feed.py")).stdout)
    assert [item["code"] for item in payload] == ["ADB101"]
    (edit,) = payload[0]["fix"]["edits"]
    assert (edit["line"], edit["column"], edit["content"]) == (payload[0]["line"], payload[0]["column"], "await ")


def test_a_fix_that_breaks_the_code_is_reported_and_the_file_kept(tmp_path, monkeypatch):
    """Inject a rule whose fix renders a string literal with a raw newline in it."""
    import libcst as cst

    from asyncdb_lint.fixes import SAFE, Fix
    from asyncdb_lint.rules.base import Finding

    def break_strings(rule, model, report):
        for call in model.calls:
            string = call.args[0].value if call.args else None
            if isinstance(string, cst.SimpleString):
                fix = Fix(SAFE, "break it").change(string, lambda _: cst.SimpleString('"a\nb"'))
                report(Finding(rule.code, call, "broken fix", fix))

    run_only_rules(monkeypatch, injected_rule("ADB101", break_strings))
    path = tmp_path / "app.py"
    path.write_text(BAD)
    result = _fix(path, FixMode())
    assert path.read_text() == BAD
    assert result.fixed == 0
    assert result.errors and {error.rule for error in result.errors} == {"ADB101"}
    assert "does not parse" in result.errors[0].describe()
