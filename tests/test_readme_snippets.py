"""The README's snippets work as written when copied into a fresh repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

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


def _lsp_initialize(command) -> dict:
    """Start ``command``, send an LSP initialize, shutdown and exit; the initialize result."""

    def message(payload: dict) -> bytes:
        body = json.dumps(payload).encode("utf-8")
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    requests = b"".join((
        message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}),
        message({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        message({"jsonrpc": "2.0", "method": "exit"}),
    ))
    done = subprocess.run(command, input=requests, capture_output=True, timeout=60)
    output = done.stdout
    while output:
        header, _, rest = output.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", header).group(1))
        payload, output = json.loads(rest[:length]), rest[length:]
        if payload.get("id") == 1:
            return payload["result"]
    raise AssertionError(done.stderr.decode(errors="replace"))


def test_editor_snippets_start_the_language_server():
    pytest.importorskip("pygls")
    from asyncdb_lint.settings import tomllib

    vscode = json.loads(block("json", "glspc.server.command"))
    helix = tomllib.loads(block("toml", "[language-server.asyncdb-lint]"))["language-server"]["asyncdb-lint"]
    neovim = re.search(r"cmd = \{ (.*?) \}", block("lua", "vim.lsp.config")).group(1)
    commands = {
        (vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]),
        (helix["command"], *helix["args"]),
        tuple(json.loads(f"[{neovim}]")),
    }
    assert commands == {("asyncdb-lint", "server")}
    executable = os.path.join(os.path.dirname(sys.executable), "asyncdb-lint")
    result = _lsp_initialize([executable, "server"])
    assert result["serverInfo"]["name"] == "asyncdb-lint"
    assert "source.fixAll.asyncdb-lint" in result["capabilities"]["codeActionProvider"]["codeActionKinds"]
