"""`--add-noqa`, run for real on copies: only comments are added, then nothing is reported."""

from __future__ import annotations

import re
import shutil

from helpers import REPO, lint


def test_every_finding_of_the_rule_fixtures_is_suppressed_by_comments_alone(tmp_path):
    project = tmp_path / "fixtures"
    shutil.copytree(REPO / "tests" / "fixtures" / "rules", project, ignore=shutil.ignore_patterns("__pycache__"))
    originals = {path.name: path.read_bytes() for path in project.glob("*.py")}

    first = lint("--isolated", "--no-cache", "--add-noqa", ".", cwd=project)
    assert first.returncode == 0, first.stderr
    added = int(re.search(r"Added (\d+) noqa", first.stderr).group(1))
    assert added > 300
    assert "can take a comment" not in first.stderr  # every finding found a line

    for path in project.glob("*.py"):
        old = originals[path.name].decode("utf-8").splitlines(keepends=True)
        new = path.read_bytes().decode("utf-8").splitlines(keepends=True)
        assert len(old) == len(new), path.name
        for before, after in zip(old, new):
            if before == after:
                continue
            body, ending = before.rstrip("\r\n"), before[len(before.rstrip("\r\n")):]
            assert after.endswith(ending)
            # a new comment appended, or codes merged into an existing `# noqa: ...`
            assert after.startswith(body) or re.sub(r"# noqa: [A-Z0-9, ]+", "", after) == re.sub(
                r"# noqa: [A-Z0-9, ]+", "", before
            ), (path.name, before, after)
        compile(path.read_text(encoding="utf-8"), str(path), "exec")  # still parses

    again = lint("--isolated", "--no-cache", ".", cwd=project)
    remaining = [line for line in again.stdout.splitlines() if re.match(r".+:\d+:\d+: ADB\d{3} ", line)]
    assert remaining == []

    changed = {path.name: path.read_bytes() for path in project.glob("*.py")}
    second = lint("--isolated", "--no-cache", "--add-noqa", ".", cwd=project)
    assert "Added 0 noqa directives." in second.stderr
    assert {path.name: path.read_bytes() for path in project.glob("*.py")} == changed  # a second run adds nothing


def test_encoding_line_endings_and_existing_noqa_are_kept(tmp_path):
    source = (
        b"# -*- coding: latin-1 -*-\r\nimport asyncpg\r\n\r\n\r\n"
        b"async def f(pool: asyncpg.Pool):\r\n"
        b"    pool.execute(\"SELECT \xe9\")  # noqa: ADB999\r\n"
        b"    pool.execute(\r\n        \"SELECT 1\"\r\n    )\r\n"
    )
    target = tmp_path / "legacy.py"
    target.write_bytes(source)
    result = lint("--isolated", "--no-cache", "--add-noqa", "legacy.py", cwd=tmp_path)
    assert "Added 2 noqa directives." in result.stderr
    assert target.read_bytes() == source.replace(
        b"# noqa: ADB999\r\n", b"# noqa: ADB999, ADB101\r\n"
    ).replace(b"    pool.execute(\r\n", b"    pool.execute(  # noqa: ADB101\r\n")
    assert lint("--isolated", "--no-cache", "legacy.py", cwd=tmp_path).returncode == 0


def test_refuses_to_run_with_fix_and_changes_nothing(tmp_path):
    source = "import asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n"
    (tmp_path / "a.py").write_text(source)
    assert lint("--isolated", "--no-cache", "--add-noqa", "--fix", "a.py", cwd=tmp_path).returncode == 2
    assert (tmp_path / "a.py").read_text() == source


def test_a_finding_inside_a_multi_line_string_is_silenced_where_the_string_closes(tmp_path):
    """Neither the statement's first line nor the finding's can take a comment:
    the line closing the string can, and its `# noqa` covers the whole string."""
    source = (
        'from databases import Database\n\ndatabase = Database("sqlite://")\n\n\n'
        "async def purge(table):\n"
        '    await database.execute(f"""\n'
        "        DELETE FROM {table}\n"
        '    """)\n'
    )
    target = tmp_path / "purge.py"
    target.write_text(source, encoding="utf-8")
    assert "ADB404" in lint("--isolated", "--no-cache", "purge.py", cwd=tmp_path).stdout
    result = lint("--isolated", "--no-cache", "--add-noqa", "purge.py", cwd=tmp_path)
    assert "Added 1 noqa directive" in result.stderr, result.stderr
    assert target.read_text(encoding="utf-8") == source.replace('    """)\n', '    """)  # noqa: ADB404\n')
    assert lint("--isolated", "--no-cache", "purge.py", cwd=tmp_path).returncode == 0
