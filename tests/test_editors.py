"""Real editors attach the language server: a headless Neovim reads back a finding.

Skipped where Neovim is not installed (CI installs Debian's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
NEOVIM = shutil.which("nvim")
SCRIPT = Path(__file__).parent / "fixtures" / "editors" / "neovim_smoke.lua"


@pytest.mark.skipif(NEOVIM is None, reason="Neovim is not installed")
def test_neovim_shows_the_servers_finding(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.asyncdb-lint]\n", encoding="utf-8")
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "db.py").write_text(
        'from databases import Database\n\ndatabase = Database("sqlite:///app.db")\n', encoding="utf-8"
    )
    routes = tmp_path / "app" / "routes.py"
    routes.write_text(
        "from app.db import database\n\n\nasync def delete_user(user_id: int):\n"
        '    database.execute("DELETE FROM users WHERE id = :id", {"id": user_id})\n',
        encoding="utf-8",
    )
    out = tmp_path / "diagnostics.txt"
    env = dict(os.environ, ASYNCDB_LINT_PYTHON=sys.executable, ASYNCDB_LINT_ROOT=str(tmp_path),
               ASYNCDB_LINT_FILE=str(routes), ASYNCDB_LINT_OUT=str(out))
    done = subprocess.run(
        [NEOVIM, "--headless", "--clean", "-c", f"luafile {SCRIPT}"], env=env, cwd=tmp_path,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines() == ["5:5 ADB101 asyncdb-lint"]
