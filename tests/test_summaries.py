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
from asyncdb_lint.index.summaries import ANSWER_FORMAT, SummaryStore
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
v = a[()]
def g(*, k): pass
def dep(s: AsyncSession = Depends(get), other: Pool = None):
    return s
def h(session):
    global G
    G = Database(url)
    engine = make_engine()
    unused = other()
    for item in things:
        maker = sessionmaker(engine)
    return maker()
"""


def test_a_skeleton_keeps_bindings_and_drops_the_rest():
    data = skeleton(SHAPES)
    code = build_module(json.loads(json.dumps(data))).code
    kept = (
        # module level: every binding
        "import a.b as c, d", "from .x import y as z", "db: Database", "self.db = Database(url, force_rollback = ..., *a, **k)",
        "t = Optional['Database'] | None", "u = a[:, b]", "v = a[...]", "def g():",
        # in functions: returns, yields, attribute assignments, globals and what they read (parameters
        # too, and the first regular one, a method's receiver, always)
        "async def f(b: Database = Depends(get)) -> AsyncIterator[Session]:", "def dep(s: AsyncSession = Depends(get)):", "yield db", "async with pool.acquire() as (conn, other):",
        "return await conn.fetch(q)[...]", "self.x.y = ...", "global G", "G = Database(url)",
        "engine = make_engine()", "maker = sessionmaker(engine)", "return maker()",
    )
    for line in kept:
        assert line in code, line
    for dropped in ("w := foo()", "x = ...", "e = ...", "unused", "item", "range(3)", "metaclass"):
        assert dropped not in code, dropped


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


def _small_project(root: Path) -> Path:
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "base.py").write_text("import databases\nhandle = databases.Database('sqlite://')\n")
    (pkg / "middle.py").write_text("from .base import handle\nshared = handle\n")
    for name in ("use.py", "other.py"):
        (pkg / name).write_text("from .middle import shared\n\n\nasync def f():\n    shared.execute('SELECT 1')\n")
    return pkg


def _one_file(path: Path, cache: Path):
    """A one-file run as pre-commit makes it, with the index's own stores to look at."""
    from asyncdb_lint.runner import index_salt, lint_file

    prefilter = Prefilter()
    index = ProjectIndex(gate=prefilter.index_gate, cache_dir=str(cache), salt=index_salt(Settings()))
    result = lint_file(str(path), Settings(), index, prefilter=prefilter)
    index.flush()
    return [d.code for d in result.diagnostics], index


def test_stored_answers_serve_later_runs_and_rest_on_every_file_they_read(tmp_path):
    pkg = _small_project(tmp_path)
    cache = tmp_path / "cache"
    codes, _ = _one_file(pkg / "use.py", cache)
    assert codes == ["ADB101"]
    # another file asking the same: answered from the stored answers, no module read
    codes, index = _one_file(pkg / "other.py", cache)
    assert codes == ["ADB101"]
    assert index.summaries.misses == 0 and index.summaries.hits == 0
    assert {Path(p).name for p in index.touched} == {"middle.py", "base.py"}
    # a change two imports away invalidates the answer
    (pkg / "base.py").write_text("import databases\nhandle = object()\n")
    codes, index = _one_file(pkg / "other.py", cache)
    assert codes == []
    assert index.summaries.misses > 0


def test_answer_entries_that_are_corrupt_or_foreign_are_misses(tmp_path):
    pkg = _small_project(tmp_path)
    cache = tmp_path / "cache"
    assert _one_file(pkg / "use.py", cache)[0] == ["ADB101"]
    entries = sorted((cache / f"answers-v{ANSWER_FORMAT}").rglob("*.json"))
    assert entries
    bad = ["", "{not json", "[]", '{"source": null, "names": {}}',
           json.dumps({"source": "x", "names": {"shared": [["Obj", "asyncpg.Pool"], {}]}})]
    for number, entry in enumerate(entries):
        text = json.loads(entry.read_text())
        text["names"] = {name: [["Bogus", 1], deps] for name, (_, deps) in text["names"].items()}
        entry.write_text(json.dumps(text) if number % 2 else bad[number % len(bad)])
    assert _one_file(pkg / "other.py", cache)[0] == ["ADB101"]
