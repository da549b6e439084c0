"""The flake8 plugin, run by real flake8: same findings, codes and messages as the CLI."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from helpers import REPO, assert_no_traceback, flake8, lint

FIXTURES = REPO / "tests" / "fixtures"
# The CLI marks fixable findings with `[*]`; flake8 (which never fixes) does not.
_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>ADB\d+) (?:\[\*\] )?(?P<message>.*)$")


def parse(output: str):
    found = set()
    for line in output.splitlines():
        match = _LINE.match(line)
        if match:
            found.add((Path(match["path"]).as_posix(), int(match["line"]), int(match["col"]), match["code"], match["message"]))
    return found


@pytest.mark.parametrize(
    "target",
    ["tests/fixtures/rules", "tests/fixtures/projects", "examples"],
)
def test_flake8_reports_what_the_cli_reports(target):
    ours = lint(target)
    theirs = flake8("--select", "ADB", target)
    assert_no_traceback(theirs)
    cli_findings = parse(ours.stdout)
    assert cli_findings, "the target has findings"
    assert parse(theirs.stdout) == cli_findings
    assert theirs.returncode == 1


def test_plugin_is_registered():
    result = flake8("--version")
    assert "asyncdb-lint" in result.stdout


def test_flake8_noqa(tmp_path):
    source = textwrap.dedent(
        """\
        from databases import Database

        database = Database("sqlite:///app.db")


        async def handler():
            database.execute("DELETE FROM t")  # noqa: ADB101
            database.execute("DELETE FROM t")
        """
    )
    (tmp_path / "app.py").write_text(source)
    result = flake8("--select", "ADB", "app.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["8"]


def test_flake8_ignore_and_plain_select(tmp_path):
    (tmp_path / "app.py").write_text(
        "import asyncpg\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n"
    )
    assert "ADB101" in flake8("--select", "ADB101", "app.py", cwd=tmp_path).stdout
    assert flake8("--select", "ADB", "--ignore", "ADB101", "app.py", cwd=tmp_path).stdout == ""


def test_the_plugin_shares_the_cache_directory_with_the_cli(tmp_path):
    """A flake8 run after an asyncdb-lint run reads the module skeletons and answers it
    left (keyed on content, not on which tool made them), and finds the same."""
    import shutil

    project = tmp_path / "fastapi_app"
    shutil.copytree(FIXTURES / "projects" / "fastapi_app", project)
    users = "app/routers/users.py"
    first = flake8("--select", "ADB", users, cwd=project)
    assert_no_traceback(first)
    skeletons = sorted((project / ".asyncdb_lint_cache" / "summaries-v1").rglob("*.json"))
    assert skeletons, "the plugin keeps skeletons in the project's cache directory"
    stamps = {path: path.stat().st_mtime_ns for path in skeletons}
    second = flake8("--select", "ADB", users, cwd=project)
    assert parse(second.stdout) == parse(first.stdout) and parse(first.stdout)
    assert {path: path.stat().st_mtime_ns for path in skeletons} == stamps  # read, not made again
    cli = lint("--format", "concise", users, cwd=project)
    assert parse(cli.stdout) == parse(first.stdout)
