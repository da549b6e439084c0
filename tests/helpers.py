"""Running the real command-line tools in a subprocess, as users do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parent.parent


def run(args: Sequence[str], cwd=None, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd or REPO, capture_output=True, text=True, timeout=300, env=env, **kwargs
    )


def lint(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return run(["-m", "asyncdb_lint", *args], cwd=cwd)


def flake8(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return run(["-m", "flake8", "--isolated", *args], cwd=cwd)


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
