"""The README's snippets work as written when copied into a fresh repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from helpers import REPO, lint

README = (REPO / "README.md").read_text(encoding="utf-8")
APP = "from databases import Database\n\ndatabase = Database('sqlite://')\n\n\nasync def f():\n    database.execute('SELECT 1')\n"


def block(language: str, containing: str) -> str:
    for body in re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL):
        if containing in body:
            return body
    raise AssertionError(f"no ```{language} block containing {containing!r} in the README")


def test_first_commands_are_the_install_and_test_commands():
    commands = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)[:2]
    assert "asyncdb-lint examples/" in commands[0]
    assert "-m pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1].strip() in ci


def test_configuration_snippet(tmp_path):
    (tmp_path / "pyproject.toml").write_text(block("toml", "[tool.asyncdb-lint]"))
    (tmp_path / "app.py").write_text(APP)
    shown = lint("config", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert 'async-db-types = ["myapp.db.Repository"]  # pyproject.toml' in shown.stdout
    result = lint(".", cwd=tmp_path)
    assert "app.py:7:5: ADB101" in result.stdout


def test_flake8_snippet(tmp_path):
    (tmp_path / "setup.cfg").write_text(block("ini", "[flake8]").split("\n", 1)[1])
    (tmp_path / "app.py").write_text(APP)
    result = subprocess.run([sys.executable, "-m", "flake8", "app.py"], cwd=tmp_path, capture_output=True, text=True)
    assert "app.py:7:5: ADB101" in result.stdout


def test_local_pre_commit_snippet(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".pre-commit-config.yaml").write_text(block("yaml", "repo: local"))
    (tmp_path / "app.py").write_text(APP)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               PRE_COMMIT_HOME=str(tmp_path / ".pre-commit-home"))
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 1
    assert "app.py:7:5: ADB101" in result.stdout
