"""[tool.asyncdb-lint]: every key, for the CLI and the flake8 plugin, and clear errors."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from helpers import assert_no_traceback, flake8, lint

APP = textwrap.dedent(
    """\
    import sqlite3

    from databases import Database

    database = Database("postgresql://localhost/app")


    async def handler(name: str):
        database.execute("DELETE FROM sessions")
        connection = sqlite3.connect("legacy.db")
        return await database.fetch_all(f"SELECT * FROM users WHERE name = '{name}'"), connection
    """
)


def project(tmp_path, config: str, files=None):
    (tmp_path / "pyproject.toml").write_text("[tool.asyncdb-lint]\n" + textwrap.dedent(config))
    for name, text in (files or {"app.py": APP}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def codes(result):
    return sorted({line.split()[1] for line in result.stdout.splitlines() if ": ADB" in line})


def test_select_and_ignore(tmp_path):
    project(tmp_path, 'select = ["ADB1", "ADB3"]\nignore = ["ADB301"]\n')
    assert codes(lint(".", cwd=tmp_path)) == ["ADB101"]


def test_extend_select_turns_on_an_off_by_default_rule(tmp_path):
    project(tmp_path, 'extend-select = ["ADB503"]\n')
    assert "ADB503" in lint("config", cwd=tmp_path).stdout.split("# enabled rules:")[1]


def test_command_line_overrides_the_file(tmp_path):
    project(tmp_path, 'select = ["ADB1"]\n')
    assert codes(lint("--select", "ADB4", ".", cwd=tmp_path)) == ["ADB401"]
    assert codes(lint("--isolated", ".", cwd=tmp_path)) == ["ADB101", "ADB205", "ADB301", "ADB401"]


def test_per_file_ignores(tmp_path):
    project(tmp_path, '[tool.asyncdb-lint.per-file-ignores]\n"legacy/*.py" = ["ADB3"]\n"app.py" = ["ADB1"]\n',
            files={"app.py": APP, "legacy/old.py": APP})
    result = lint(".", cwd=tmp_path)
    found = {(line.split(":")[0], line.split()[1]) for line in result.stdout.splitlines()}
    assert ("app.py", "ADB101") not in found and ("app.py", "ADB301") in found
    assert ("legacy/old.py", "ADB301") not in found and ("legacy/old.py", "ADB101") in found


def test_exclude_and_extend_exclude(tmp_path):
    project(tmp_path, 'exclude = ["generated/"]\nextend-exclude = ["*_pb2.py"]\n',
            files={"app.py": APP, "generated/models.py": APP, "api_pb2.py": APP})
    assert {line.split(":")[0] for line in lint(".", cwd=tmp_path).stdout.splitlines()} == {"app.py"}
    # a file named explicitly is linted anyway, unless --force-exclude (pre-commit)
    assert lint("api_pb2.py", cwd=tmp_path).stdout
    assert lint("--force-exclude", "api_pb2.py", cwd=tmp_path).stdout == ""


def test_gitignore_is_respected(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    project(tmp_path, "", files={"app.py": APP, "build_out/gen.py": APP, "pkg/tmp/x.py": APP, "pkg/keep.py": APP, "scratch.py": APP})
    (tmp_path / ".gitignore").write_text("build_out/\nscratch.py\n")
    (tmp_path / "pkg" / ".gitignore").write_text("tmp/\n")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("pkg/keep.py\n")
    assert {line.split(":")[0] for line in lint(".", cwd=tmp_path).stdout.splitlines()} == {"app.py"}
    assert lint("scratch.py", cwd=tmp_path).stdout  # named explicitly: linted


def test_respect_gitignore_false(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    project(tmp_path, "respect-gitignore = false\n", files={"app.py": APP, "scratch.py": APP})
    (tmp_path / ".gitignore").write_text("scratch.py\n")
    assert {line.split(":")[0] for line in lint(".", cwd=tmp_path).stdout.splitlines()} == {"app.py", "scratch.py"}


def test_unsafe_fixes_key(tmp_path):
    project(tmp_path, "unsafe-fixes = true\n")
    result = lint("--fix", ".", cwd=tmp_path)
    assert "values={\"name\": name}" in (tmp_path / "app.py").read_text()
    assert result.returncode == 1  # ADB301 has no fix


def test_cache_dir_is_accepted(tmp_path):
    project(tmp_path, 'cache-dir = ".cache/asyncdb"\n')
    assert 'cache-dir = ".cache/asyncdb"' in lint("config", cwd=tmp_path).stdout


IN_HOUSE = {
    "app.py": textwrap.dedent(
        """\
        from company.db import Repository, run_sql
        from legacy.db import connect


        async def handler(repo: Repository, name: str):
            repo.save(name)
            await repo.save(name)
            connection = connect("dsn")
            run_sql(f"DELETE FROM users WHERE name = '{name}'")
            return connection
        """
    ),
}


def test_teaching_keys(tmp_path):
    project(
        tmp_path,
        'async-db-types = ["company.db.Repository"]\n'
        'sync-db-calls = ["legacy.db.connect"]\n'
        'sql-sinks = ["company.db.run_sql"]\n',
        files=IN_HOUSE,
    )
    result = lint(".", cwd=tmp_path)
    assert [(line.split(":")[1], line.split()[1]) for line in result.stdout.splitlines()] == [
        ("6", "ADB101"), ("8", "ADB301"), ("9", "ADB401"),
    ]
    assert lint("--isolated", ".", cwd=tmp_path).stdout == ""  # without the keys: nothing known


def test_flake8_plugin_reads_the_same_section(tmp_path):
    project(tmp_path, 'ignore = ["ADB301"]\nasync-db-types = ["company.db.Repository"]\n', files=IN_HOUSE)
    result = flake8("--select", "ADB", "app.py", cwd=tmp_path)
    assert_no_traceback(result)
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["ADB101"]


@pytest.mark.parametrize(
    "config, message",
    [
        ("selec = []\n", "selec: unknown key"),
        ('select = "ADB1"\n', "select: expected a list of strings"),
        ('select = ["XYZ1"]\n', "unknown rule code or prefix: 'XYZ1'"),
        ("respect-gitignore = 1\n", "respect-gitignore: expected true or false"),
        ('per-file-ignores = ["a"]\n', "per-file-ignores: expected a table"),
        ('async-db-types = ["Repository"]\n', "is not a qualified name"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_invalid_configuration_is_a_clear_error(tmp_path, config, message):
    project(tmp_path, config)
    result = lint(".", cwd=tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml" in result.stderr and message in result.stderr
    assert_no_traceback(result)
    plugin = flake8("--select", "ADB", "app.py", cwd=tmp_path)
    assert_no_traceback(plugin)
    assert "ADB000 asyncdb-lint configuration error" in plugin.stdout


def test_config_option_and_show_settings(tmp_path):
    (tmp_path / "custom.toml").write_text('[tool.asyncdb-lint]\nselect = ["ADB4"]\n')
    (tmp_path / "app.py").write_text(APP)
    result = lint("--config", "custom.toml", ".", cwd=tmp_path)
    assert codes(result) == ["ADB401"]
    shown = lint("--config", "custom.toml", "--show-settings", cwd=tmp_path)
    assert 'select = ["ADB4"]  # custom.toml' in shown.stdout
    assert "ignore = []  # default" in shown.stdout


def test_config_is_found_walking_up(tmp_path):
    project(tmp_path, 'select = ["ADB4"]\n', files={"src/pkg/app.py": APP})
    assert codes(lint("app.py", cwd=tmp_path / "src" / "pkg")) == ["ADB401"]
