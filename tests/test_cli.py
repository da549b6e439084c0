"""The `asyncdb-lint` command as a user meets it: exit codes, formats, selection, noqa."""

from __future__ import annotations

import json
import textwrap

from asyncdb_lint import __version__
from helpers import assert_no_traceback, lint, run

BAD = textwrap.dedent(
    """\
    from databases import Database

    database = Database("sqlite:///app.db")


    async def handler():
        database.execute("DELETE FROM t")
        rows = database.fetch_all("SELECT 1")
        return rows[0]
    """
)
GOOD = textwrap.dedent(
    """\
    from databases import Database

    database = Database("sqlite:///app.db")


    async def handler():
        await database.execute("DELETE FROM t")
    """
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_findings_exit_1_with_text_lines(tmp_path):
    write(tmp_path, "app.py", BAD)
    result = lint("app.py", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "app.py:7:5: ADB101 [*] `Database.execute()` is never awaited: the coroutine is discarded and the query never runs",
        "app.py:8:12: ADB102 [*] `Database.fetch_all()` is indexed (through `rows`) without `await`: it is a coroutine, not its result",
    ]
    assert "Found 2 errors." in result.stderr
    assert "[*] 2 fixes available with `--fix`." in result.stderr


def test_clean_exit_0(tmp_path):
    write(tmp_path, "app.py", GOOD)
    result = lint("app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_default_path_is_current_directory_and_skips_virtualenvs(tmp_path):
    write(tmp_path, "pkg/app.py", BAD)
    write(tmp_path, ".venv/lib/site.py", BAD)
    write(tmp_path, "node_modules/x.py", BAD)
    result = lint(cwd=tmp_path)
    assert result.returncode == 1
    paths = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert paths == {"pkg/app.py"}


def test_json_format(tmp_path):
    write(tmp_path, "app.py", BAD)
    result = lint("--format", "json", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert [item["code"] for item in payload] == ["ADB101", "ADB102"]
    first = payload[0]
    assert set(first) >= {"path", "line", "column", "end_line", "end_column", "code", "message", "fix"}
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (7, 5, 7, 38)  # end is exclusive, as in ruff
    assert first["fix"] == {
        "applicability": "safe",
        "message": "Add `await`",
        "edits": [{"line": 7, "column": 5, "end_line": 7, "end_column": 5, "content": "await "}],
    }


def test_select_and_ignore_by_prefix(tmp_path):
    write(tmp_path, "app.py", BAD)
    only_102 = lint("--select", "ADB102", "app.py", cwd=tmp_path)
    assert [line.split()[1] for line in only_102.stdout.splitlines()] == ["ADB102"]
    ignored = lint("--ignore", "ADB1", "app.py", cwd=tmp_path)
    assert ignored.returncode == 0 and ignored.stdout == ""
    both = lint("--select", "ADB1", "--ignore", "ADB101", "app.py", cwd=tmp_path)
    assert [line.split()[1] for line in both.stdout.splitlines()] == ["ADB102"]


def test_unknown_code_is_a_usage_error(tmp_path):
    write(tmp_path, "app.py", BAD)
    result = lint("--select", "XYZ9", "app.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule code" in result.stderr
    assert_no_traceback(result)


def test_missing_path_is_a_usage_error(tmp_path):
    result = lint("does-not-exist.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "does-not-exist.py" in result.stderr
    assert_no_traceback(result)


def test_bad_option_is_a_usage_error(tmp_path):
    result = lint("--format", "xml", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)


def test_exit_zero(tmp_path):
    write(tmp_path, "app.py", BAD)
    result = lint("--exit-zero", "app.py", cwd=tmp_path)
    assert result.returncode == 0
    assert "ADB101" in result.stdout


def test_no_cache_is_accepted(tmp_path):
    write(tmp_path, "app.py", BAD)
    assert lint("--no-cache", "app.py", cwd=tmp_path).returncode == 1


def test_version():
    result = lint("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"asyncdb-lint {__version__}"


def test_noqa(tmp_path):
    source = BAD.replace('database.execute("DELETE FROM t")', 'database.execute("DELETE FROM t")  # noqa: ADB101')
    source = source.replace('rows = database.fetch_all("SELECT 1")', 'rows = database.fetch_all("SELECT 1")  # noqa')
    write(tmp_path, "app.py", source)
    result = lint("app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_noqa_for_another_code_does_not_suppress(tmp_path):
    source = BAD.replace('database.execute("DELETE FROM t")', 'database.execute("DELETE FROM t")  # noqa: ADB102')
    write(tmp_path, "app.py", source)
    assert "ADB101" in lint("app.py", cwd=tmp_path).stdout


def test_noqa_on_first_line_of_multiline_statement(tmp_path):
    source = textwrap.dedent(
        """\
        from databases import Database

        database = Database("sqlite:///app.db")


        async def handler(values):
            result = {  # noqa: ADB102
                "rows": len(
                    database.fetch_all("SELECT 1")
                ),
            }
            other = len(
                database.fetch_all("SELECT 1")
            )
            return result, other
        """
    )
    write(tmp_path, "app.py", source)
    result = lint("app.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["13"]


def test_rule_docs():
    result = lint("rule", "ADB101")
    assert result.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead:", "## Fix safety"):
        assert section in result.stdout
    assert "database.execute(" in result.stdout


def test_rule_all_lists_every_rule():
    from asyncdb_lint.rules import ALL_RULES

    result = lint("rule", "--all")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [rule.code for rule in ALL_RULES]
    as_json = json.loads(lint("rule", "--all", "--format", "json").stdout)
    assert [item["code"] for item in as_json] == [rule.code for rule in ALL_RULES]
    assert all(item["explanation"].startswith("# ") for item in as_json)


def test_unknown_rule():
    result = lint("rule", "ADB999")
    assert result.returncode == 2
    assert_no_traceback(result)


def test_directory_walk_is_sorted_and_includes_pyi(tmp_path):
    write(tmp_path, "b.py", BAD)
    write(tmp_path, "a.pyi", BAD)
    write(tmp_path, "notes.txt", BAD)
    result = lint("--select", "ADB1", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["a.pyi", "a.pyi", "b.py", "b.py"]


def test_server_without_the_lsp_extra_says_how_to_install_it():
    code = "import sys; sys.modules['pygls'] = None; from asyncdb_lint.cli import main; main(['server'])"
    result = run(["-c", code])
    assert result.returncode == 2
    assert "pip install 'asyncdb-lint[lsp]'" in result.stderr
    assert_no_traceback(result)


def test_a_dropped_motor_call_is_said_to_run_in_the_background(tmp_path):
    """Motor's methods start at once (the model marks their result): what is lost is the result."""
    write(tmp_path, "app.py", (
        "import asyncpg\nfrom motor.motor_asyncio import AsyncIOMotorClient\n\nclient = AsyncIOMotorClient()\n\n\n"
        "async def f(pool: asyncpg.Pool):\n    client.db.users.insert_one({})\n    pool.execute('SELECT 1')\n"
    ))
    lines = lint("--isolated", "--no-cache", "--format", "concise", "app.py", cwd=tmp_path).stdout.splitlines()
    assert lines == [
        "app.py:8:5: ADB101 `AsyncIOMotorCollection.insert_one()` is never awaited: it runs in the background, "
        "so its result and any error are lost and the code after it may run first",
        "app.py:9:5: ADB101 `Pool.execute()` is never awaited: the coroutine is discarded and the query never runs",
    ]


def test_a_connection_opened_per_request_is_told_its_own_librarys_pool(tmp_path):
    write(tmp_path, "app.py", (
        "import asyncpg\nimport psycopg\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get('/a')\nasync def a():\n    return await asyncpg.connect('postgresql://db')\n\n\n"
        "@app.get('/b')\nasync def b():\n    return await psycopg.AsyncConnection.connect('dbname=app')\n"
    ))
    lines = lint("--isolated", "--no-cache", "--format", "concise", "--select", "ADB201", "app.py", cwd=tmp_path).stdout
    asyncpg_line, psycopg_line = lines.splitlines()
    assert "`asyncpg.create_pool()`" in asyncpg_line and "`async with pool.acquire()`" in asyncpg_line
    assert "`psycopg_pool.AsyncConnectionPool(...)`" in psycopg_line and "`async with pool.connection()`" in psycopg_line
