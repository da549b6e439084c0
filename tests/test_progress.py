"""The progress bar, run for real: on a terminal for long runs, never when piped or with --quiet."""

from __future__ import annotations

import os
import select
import subprocess
import sys

import pytest

pty = pytest.importorskip("pty")


def _run_on_a_terminal(cwd, *args: str) -> bytes:
    """Standard error on a pseudo-terminal, as an interactive shell has it."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "asyncdb_lint", "--isolated", "--no-cache", *args, "."], cwd=cwd,
        stdout=subprocess.PIPE, stderr=slave, env={**os.environ, "TERM": "xterm"},
    )
    os.close(slave)
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(master)
    return output


@pytest.fixture
def many_files(tmp_path):
    for number in range(320):
        (tmp_path / f"module_{number}.py").write_text(f"value = {number}\n")
    return tmp_path


def test_a_long_run_on_a_terminal_shows_progress(many_files):
    output = _run_on_a_terminal(many_files)
    assert b"Linting" in output and b"320/320" in output


def test_no_progress_with_quiet_or_when_piped(many_files):
    assert b"Linting" not in _run_on_a_terminal(many_files, "--quiet")
    piped = subprocess.run(
        [sys.executable, "-m", "asyncdb_lint", "--isolated", "--no-cache", "."], cwd=many_files, capture_output=True,
    )
    assert piped.returncode == 0 and b"Linting" not in piped.stderr


def test_no_progress_for_a_short_run(tmp_path):
    (tmp_path / "one.py").write_text("value = 1\n")
    assert b"Linting" not in _run_on_a_terminal(tmp_path)
