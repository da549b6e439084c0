"""The model's tree walk meets nodes in exactly the order LibCST's own `visit` does."""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest

from asyncdb_lint.model.walk import _SKIPPED, walk

TESTS = Path(__file__).parent
# Our fixtures and corpus, plus real, varied code: LibCST's and pytest's own sources.
SOURCES = sorted(TESTS.rglob("*.py")) + sorted((TESTS.parent / "examples").rglob("*.py"))
LIBRARY_SOURCES = sorted(Path(cst.__file__).parent.rglob("*.py"))[:150] + sorted(Path(pytest.__file__).parent.rglob("*.py"))[:50]


class _Recorder(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_visit(self, node):
        if not isinstance(node, _SKIPPED):
            self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node):
        if not isinstance(original_node, _SKIPPED):
            self.events.append(("leave", id(original_node)))


def _walk_events(module):
    events = []
    walk(module, lambda node: events.append(("visit", id(node))) or True, lambda node: events.append(("leave", id(node))))
    return events


@pytest.mark.parametrize("files", [SOURCES, LIBRARY_SOURCES], ids=["fixtures", "libraries"])
def test_walk_matches_libcst_visit(files):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    compared = 0
    for path in files:
        try:
            module = cst.parse_module(path.read_bytes())
        except Exception:
            continue  # fixtures with syntax errors on purpose
        recorder = _Recorder()
        module.visit(recorder)
        assert _walk_events(module) == recorder.events, path
        compared += 1
    assert compared > 50


def test_walk_skips_children_when_told():
    module = cst.parse_module("def f():\n    return g(1)\n")
    seen = []
    walk(module, lambda node: seen.append(type(node).__name__) or not isinstance(node, cst.FunctionDef), lambda node: None)
    assert "FunctionDef" in seen and "Call" not in seen
