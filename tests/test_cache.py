"""The result cache: same results as --no-cache, only changed files re-analysed, faults are misses."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from asyncdb_lint import runner
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings
from helpers import lint

PROJECT = Path(__file__).parent / "fixtures" / "projects" / "fastapi_app"


def _copy(tmp_path) -> Path:
    target = tmp_path / "fastapi_app"
    shutil.copytree(PROJECT, target)
    return target


def _run(root: Path, cache: Path, monkeypatch=None, analysed=None):
    files = sorted(str(p) for p in root.rglob("*.py"))
    if monkeypatch is not None:
        original = runner.lint_file

        def counting(path, *args, **kwargs):
            analysed.append(os.path.relpath(path, root))
            return original(path, *args, **kwargs)

        monkeypatch.setattr(runner, "lint_file", counting)
    results = lint_files(files, Settings(), complete=True, cache_dir=str(cache), jobs=1)
    return sorted((os.path.relpath(d.path, root), d.line, d.code, d.message) for r in results for d in r.diagnostics)


def test_warm_run_matches_and_reanalyses_only_what_changed(tmp_path, monkeypatch):
    root, cache = _copy(tmp_path), tmp_path / "cache"
    cold = _run(root, cache)
    assert (cache / "CACHEDIR.TAG").is_file()
    analysed = []
    assert _run(root, cache, monkeypatch, analysed) == cold
    assert analysed == []
    # change the module others import from: it and its importers are re-analysed
    db = root / "app" / "db.py"
    db.write_text(db.read_text() + "\n# touched\n")
    analysed.clear()
    assert _run(root, cache, monkeypatch, analysed) == cold
    assert "app/db.py" in analysed and "app/routers/users.py" in analysed
    assert "app/repository.py" not in analysed


def test_corrupt_truncated_or_foreign_entries_are_misses(tmp_path):
    root, cache = _copy(tmp_path), tmp_path / "cache"
    cold = _run(root, cache)
    entries = list(cache.rglob("*.json"))
    assert entries
    for number, entry in enumerate(entries):
        entry.write_text(["", "{not json", '{"stamp": 1}', "[]"][number % 4])
    assert _run(root, cache) == cold


def test_read_only_cache_directory_is_not_fatal(tmp_path):
    root, cache = _copy(tmp_path), tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        assert _run(root, cache) == _run(root, tmp_path / "other")
    finally:
        cache.chmod(0o755)


def test_cli_cache_and_no_cache_agree(tmp_path):
    root = _copy(tmp_path)
    first = lint("--isolated", "--cache-dir", str(tmp_path / "c"), ".", cwd=root)
    second = lint("--isolated", "--cache-dir", str(tmp_path / "c"), ".", cwd=root)
    uncached = lint("--isolated", "--no-cache", ".", cwd=root)
    assert first.stdout == second.stdout == uncached.stdout
    assert first.stdout


def test_two_runs_writing_the_cache_at_once(tmp_path):
    import subprocess
    import sys

    root = _copy(tmp_path)
    command = [sys.executable, "-m", "asyncdb_lint", "--isolated", "--cache-dir", str(tmp_path / "shared"), "."]
    runs = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for _ in range(2)]
    outputs = [run.communicate()[0] for run in runs]
    uncached = lint("--isolated", "--no-cache", ".", cwd=root).stdout
    assert outputs == [uncached, uncached]
    assert lint("--isolated", "--cache-dir", str(tmp_path / "shared"), ".", cwd=root).stdout == uncached


def test_a_run_answered_from_the_cache_loads_neither_libcst_nor_the_rules(tmp_path):
    """Start-up is most of a warm run: what only analysis needs is not imported (the rules
    are loaded to settle a whole-tree rule's findings, when there are any)."""
    import subprocess
    import sys

    root, cache = tmp_path / "app", tmp_path / "cache"
    root.mkdir()
    (root / "queries.py").write_text("import asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n")
    (root / "other.py").write_text("import os\n\nprint(os.sep)\n")
    cold = _run(root, cache)
    assert cold
    probe = (
        "import sys\n"
        "from asyncdb_lint.cli import main\n"
        f"sys.argv = ['asyncdb-lint', '--cache-dir', {str(cache)!r}, {str(root)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('libcst', 'asyncdb_lint.rules', 'asyncdb_lint.model.semantic') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
    assert len([line for line in result.stdout.splitlines() if ": ADB" in line]) == len(cold)


def test_the_import_stamp_sees_every_import_line_and_nothing_else():
    from asyncdb_lint.cache import import_lines

    source = (
        b"import os\nfrom a.b import (c,\n  d)\n  import sys  # indented\nx = 'import this'\n"
        b"from .rel import y\nimport\tz\nprint('from x import y')\nimportant = 1\nfrom x import(y)\n"
    )
    assert list(import_lines(source)) == [
        b"import os", b"from a.b import (c,", b"  import sys  # indented", b"from .rel import y", b"import\tz",
    ]
