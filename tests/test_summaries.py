"""Module skeletons: the project index answers from them exactly what a full LibCST
model of the module answers, and the summary cache is shared, safe and optional."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import libcst as cst
import pytest

from asyncdb_lint.index.project import ProjectIndex
from asyncdb_lint.index.skeleton import build_module, skeleton
from asyncdb_lint.index.summaries import SummaryStore
from asyncdb_lint.model.semantic import ClassValue, FunctionValue, Instance
from asyncdb_lint.model.values import FuncSummary
from asyncdb_lint.prefilter import Prefilter
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings

TESTS = Path(__file__).parent
REPO = TESTS.parent
PROJECT = TESTS / "fixtures" / "projects" / "fastapi_app"


class _FullModels(SummaryStore):
    """The index as it was before skeletons: every module parsed whole with LibCST."""

    def _module(self, path, data):
        try:
            return cst.parse_module(data)
        except Exception:
            return None


def _modules():
    roots = [TESTS / "fixtures", TESTS / "corpus", REPO / "examples", REPO / "src" / "asyncdb_lint"]
    return sorted(str(p) for root in roots for p in root.rglob("*.py") if "fixes" not in p.parts)


def _answers(store: SummaryStore, paths):
    index = ProjectIndex(summaries=store)
    answers = {}
    for path in paths:
        model = index._model(path)
        if model is None:
            answers[path] = None
            continue
        for name in sorted(model.module_scope.bindings):
            answers[(path, name)] = _comparable(index.export(path, name))
        for name in sorted(model.state_bindings):
            answers[(path, "app.state." + name)] = _comparable(index.state_attribute(name))
    return answers


def _comparable(value):
    """Values holding a model's own nodes (a function returning an instance or a
    nested function) compare by the class's or function's name."""
    if isinstance(value, FuncSummary) and isinstance(value.returns, (Instance, ClassValue, FunctionValue)):
        return ("returns", type(value.returns).__name__, value.returns.info.node.name.value, value.dependency)
    return value


def test_skeletons_answer_what_full_models_answer():
    """Every module-level name of every fixture, corpus and example module (and of
    this package's own sources), through the index: the same value either way."""
    paths = _modules()
    full, skeletons = _answers(_FullModels(), paths), _answers(SummaryStore(), paths)
    assert full.keys() == skeletons.keys()
    differences = {key: (full[key], skeletons[key]) for key in full if full[key] != skeletons[key]}
    assert not differences
    known = [value for value in full.values() if value is not None]
    assert len(known) > 100  # the comparison is not vacuous


SHAPES = """
import a.b as c, d
from .x import y as z
from m import *
@decorator(1)
async def f(a, /, b: Database = Depends(get), *args, k: int = 3, **kw) -> AsyncIterator[Session]:
    if (w := foo()):
        x = yield db
    try:
        async with pool.acquire() as (conn, other):
            return await conn.fetch(q)[0]
    except E as e:
        pass
    for i, *j in range(3):
        self.x.y = 2
class C(Base, metaclass=M):
    db: Database
    def m(self):
        self.db = Database(url, force_rollback=True, *a, **k)
t = Optional['Database'] | None
u = a[1:2, b]
def g(*, k): pass
"""


def test_a_skeleton_keeps_bindings_and_drops_the_rest():
    data = skeleton(SHAPES)
    code = build_module(json.loads(json.dumps(data))).code
    for kept in ("import a.b as c, d", "from .x import y as z", "w := foo()", "yield db", "e = ...",
                 "async with pool.acquire() as (conn, other):", "return await conn.fetch(q)[...]",
                 "b: Database = Depends(get)", "db: Database", "Database(url, force_rollback = ..., *a, **k)",
                 "t = Optional['Database'] | None", "u = a[:, b]", "def g(*, k):", "for (i, *j) in ...:"):
        assert kept in code, kept
    assert "range(3)" not in code and "metaclass" not in code and "pass" not in code.split("def g")[0]


def test_skeleton_data_other_than_libcst_nodes_is_refused():
    for data in (["os", {}], ["Module", {"body": [["system", {}]]}], "Module", 5, ["Name", {"value": 3}]):
        with pytest.raises((ValueError, TypeError)):
            build_module(data)


def _lint(root: Path, cache: Path = None, jobs: int = 1):
    files = sorted(str(p) for p in root.rglob("*.py"))
    results = lint_files(files, Settings(), complete=True, jobs=jobs, cache_dir=str(cache) if cache else None)
    return sorted((os.path.relpath(d.path, root), d.line, d.code, d.message) for r in results for d in r.diagnostics)


def _entries(cache: Path):
    return sorted((cache / "summaries-v1").rglob("*.json")) if (cache / "summaries-v1").is_dir() else []


def test_a_one_file_run_reads_summaries_written_by_an_earlier_run(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(PROJECT, root)
    cache = tmp_path / "cache"
    whole = _lint(root, cache)
    assert _entries(cache)
    # another file, alone, later: its imports come from the summaries (no new ones made)
    store = SummaryStore(str(cache))
    prefilter = Prefilter()
    index = ProjectIndex(summaries=store, gate=prefilter.index_gate)
    users = root / "app" / "routers" / "users.py"
    from asyncdb_lint.runner import lint_file

    result = lint_file(str(users), Settings(), index, prefilter=prefilter)
    assert store.hits > 0 and store.misses == 0
    assert [(d.line, d.code) for d in result.diagnostics] == [(line, code) for path, line, code, _ in whole
                                                              if path == os.path.join("app", "routers", "users.py")]


def test_summary_entries_that_are_corrupt_truncated_or_foreign_are_misses(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(PROJECT, root)
    cache = tmp_path / "cache"
    clean = _lint(root, cache)
    entries = _entries(cache)
    bad = ["", "{not json", '["Module", {"body": [["os", {}]]}]', '{"a": 1}', "[]", '["Module", 5]']
    for number, entry in enumerate(entries):
        entry.write_text(bad[number % len(bad)])
    shutil.rmtree(cache / "v1")  # the result cache too, so every file is analysed again
    assert _lint(root, cache) == clean
    assert all(json.loads(entry.read_text())[:1] in (["Module"], ["u"]) or entry.read_text() == '"unparsable"'
               for entry in _entries(cache) if entry.read_text() not in bad)


def test_no_cache_writes_no_summaries_and_a_read_only_cache_is_no_error(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(PROJECT, root)
    clean = _lint(root)
    assert not list(tmp_path.rglob("summaries-v1"))
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(cache, 0o500)
    try:
        assert _lint(root, cache) == clean
    finally:
        os.chmod(cache, 0o700)


def test_pool_workers_share_the_summary_cache(tmp_path):
    """Workers of one run and a later run write and read the same entries (no partial files)."""
    root = tmp_path / "app"
    for copy in range(12):  # enough files for the process pool
        shutil.copytree(PROJECT, root / f"copy{copy}")
    cache = tmp_path / "cache"
    first = _lint(root, cache, jobs=2)
    assert not list(cache.rglob("*.tmp"))
    entries = _entries(cache)
    assert entries and all(json.loads(e.read_text()) for e in entries)
    shutil.rmtree(cache / "v1")
    assert _lint(root, cache, jobs=2) == first
    assert _entries(cache) == entries  # identical copies share one entry: keyed on content only
