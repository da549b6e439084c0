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


def run_only_rules(monkeypatch, *rules) -> None:
    """Make every lint in this test run exactly ``rules`` (real ones, or ones made by `injected_rule`)."""
    from asyncdb_lint import settings as settings_module

    monkeypatch.setattr(settings_module.Settings, "enabled_rules", lambda self: list(rules))


def injected_rule(code: str, check):
    """A rule for tests that misbehave on purpose: ``check(rule, model, report)`` is its whole body."""
    from asyncdb_lint.rules.base import Rule

    class Injected(Rule):
        name = "injected"
        summary = what_it_does = why_bad = example = use_instead = ""

    Injected.code = code
    Injected.check = check
    return Injected()
