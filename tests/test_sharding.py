"""Sharded runs find what one whole run finds.

Build systems (Pants, Bazel's rules_lint) lint a project in shards: disjoint
subsets of its files, possibly on different machines, each run knowing only
its own files. The union of the shards' findings must be the whole run's
findings - except those of whole-tree rules (ADB205, a project rule), which
may speak only when the whole tree was linted (`complete=True`, what the CLI
passes when it is given directories) and must be silent on a subset.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest

from asyncdb_lint.files import discover
from asyncdb_lint.rules import RULES_BY_CODE
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings
from helpers import REPO, assert_no_traceback, lint

PROJECTS = REPO / "tests" / "fixtures" / "projects"
TREES: Dict[str, Path] = {
    **{path.name: path for path in sorted(PROJECTS.iterdir()) if path.is_dir()},
    "notes_app": REPO / "examples" / "notes_app",
}
WHOLE_TREE_RULES = frozenset(code for code, rule in RULES_BY_CODE.items() if rule.project_rule)
SPLITS = ("per-file", "2-shards", "3-shards")

Finding = Tuple[str, int, int, str, str]  # (path relative to the tree, line, column, code, message)


def _files(tree: Path) -> List[str]:
    """The tree's files, found as the CLI finds them for `asyncdb-lint <tree>`."""
    return sorted(os.path.abspath(path) for path in discover([str(tree)]))


def _shards(files: Sequence[str], split: str) -> List[List[str]]:
    """Disjoint subsets covering ``files``: one file each, or round-robin over the sorted paths."""
    count = len(files) if split == "per-file" else int(split.split("-")[0])
    shards = [list(files[start::count]) for start in range(count)]
    assert all(shards), f"{split} of {len(files)} files leaves a shard empty"
    assert sorted(path for shard in shards for path in shard) == sorted(files)
    return shards


def _findings(results, tree: Path) -> List[Finding]:
    return sorted(
        (os.path.relpath(d.path, tree), d.line, d.column, d.code, d.message) for r in results for d in r.diagnostics
    )


def _lint(files: Sequence[str], tree: Path, complete: bool) -> List[Finding]:
    """One run with fresh state: `lint_files` builds a new project index each call; no cache."""
    results = lint_files(list(files), Settings(), complete=complete, jobs=1)
    assert not [error for r in results for error in r.errors]
    return _findings(results, tree)


def _cli(paths: Sequence[str], tree: Path) -> List[Finding]:
    """The real command in its own process, as one machine of a sharded build runs it."""
    result = lint("--isolated", "--no-cache", "--exit-zero", "--format", "json", *paths)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return sorted(
        (os.path.relpath(os.path.join(REPO, d["path"]), tree), d["line"], d["column"], d["code"], d["message"])
        for d in json.loads(result.stdout or "[]")
    )


def _per_file_findings(findings: List[Finding]) -> List[Finding]:
    return [finding for finding in findings if finding[3] not in WHOLE_TREE_RULES]


def _compare(whole: List[Finding], by_shard: List[Tuple[List[str], List[Finding]]], tree: Path) -> None:
    """Union of the shards' per-file findings == the whole run's; no shard reports a whole-tree rule."""
    for shard, found in by_shard:
        spoken = [finding for finding in found if finding[3] in WHOLE_TREE_RULES]
        assert not spoken, f"shard {[os.path.relpath(p, tree) for p in shard]} reported a whole-tree rule: {spoken}"
    union = sorted(finding for _shard, found in by_shard for finding in _per_file_findings(found))
    expected = _per_file_findings(whole)
    if union != expected:
        where = {finding: [os.path.relpath(p, tree) for p in shard] for shard, found in by_shard for finding in found}
        missing = [finding for finding in expected if finding not in union]
        extra = [(finding, "from shard", where[finding]) for finding in union if finding not in expected]
        duplicated = sorted({finding for finding in union if union.count(finding) > 1})
        pytest.fail(
            f"{tree.name}: sharded findings differ from the whole run\n"
            f"  only in the whole run: {missing}\n  only in shards: {extra}\n  reported twice: {duplicated}"
        )


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(TREES))
def test_shards_find_what_the_whole_run_finds(name, split):
    tree = TREES[name]
    files = _files(tree)
    assert len(files) >= 2, f"{name}: too few files to shard"
    whole = _lint(files, tree, complete=True)
    assert _per_file_findings(whole) or name in ("connected_elsewhere", "unconnected_database")
    # A subset run is what `asyncdb-lint file1 file2` is: not complete.
    by_shard = [(shard, _lint(shard, tree, complete=False)) for shard in _shards(files, split)]
    _compare(whole, by_shard, tree)


def test_the_whole_tree_exception_is_not_vacuous():
    """ADB205 does speak on a whole run - of unconnected_database, on its module-level `Database`."""
    spoken = {
        (name, path, line)
        for name, tree in TREES.items()
        for path, line, _column, code, _message in _lint(_files(tree), tree, complete=True)
        if code in WHOLE_TREE_RULES
    }
    assert ("unconnected_database", os.path.join("service", "db.py"), 3) in spoken, spoken
    # and on that very file alone, a subset run, it is silent
    tree = TREES["unconnected_database"]
    assert not [f for f in _lint([str(tree / "service" / "db.py")], tree, complete=False) if f[3] == "ADB205"]


@pytest.mark.parametrize("name", ["unconnected_database", "fastapi_app"])
def test_cli_shards_in_separate_processes_agree(name):
    """Each shard of a 2-way split in its own `asyncdb-lint file...` process, the whole tree in another."""
    tree = TREES[name]
    files = _files(tree)
    shards = _shards(files, "2-shards")
    relative = [[os.path.relpath(path, REPO) for path in shard] for shard in shards]
    with ThreadPoolExecutor(max_workers=len(shards) + 1) as pool:
        whole_run = pool.submit(_cli, [os.path.relpath(tree, REPO)], tree)
        shard_runs = [pool.submit(_cli, paths, tree) for paths in relative]
        whole, by_shard = whole_run.result(), [(shard, run.result()) for shard, run in zip(shards, shard_runs)]
    # the CLI matches the in-process runs the other tests make ...
    assert whole == _lint(files, tree, complete=True)
    for shard, found in by_shard:
        assert found == _lint(shard, tree, complete=False), [os.path.relpath(p, tree) for p in shard]
    # ... and shows the same: the shards' union is the whole run, less the whole-tree rule
    _compare(whole, by_shard, tree)
    if name == "unconnected_database":
        assert any(finding[3] == "ADB205" for finding in whole)
