"""Side-by-side timing of asyncdb-lint against ruff, flake8-async and bandit.

    python benchmarks/bench.py                 # download (once), then run everything
    python benchmarks/bench.py --runs 5 --corpus db --markdown
    python benchmarks/bench.py --corpus db --one-file --markdown   # one module only

Pinned releases are downloaded from the package index into a cache directory
outside the repository (`--cache`, default ~/.cache/asyncdb-lint-bench) and
never committed, and so are two virtual environments with pinned peers: ruff,
bandit and flake8 with flake8-async, and a plain flake8 (the same version as
ours, without our plugin - flake8 runs every installed plugin in every run).
Every tool runs on the same files, interleaved, several runs each; the table
gives medians, ratios to ruff and to plain flake8, and each process's peak RSS.

Whole corpora say how throughput scales; pre-commit and editors instead lint
one module of a large application at a time, and for asyncdb-lint that module
still pulls in what it imports from the rest of the project. So the run also
times single modules of the corpus's applications (`ONE_FILE_TARGETS`, and
`--one-file` for only that), each tool run from the application's root.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

# (distribution, version): async-DB-heavy packages, and large general code.
CORPORA: Dict[str, List[Tuple[str, str]]] = {
    "db": [
        ("databases", "0.9.0"), ("databasez", "0.13.0"), ("ormar", "0.26.0"), ("edgy", "0.37.0"),
        ("asyncpg", "0.32.0"), ("aiosqlite", "0.22.1"), ("aiopg", "1.4.0"), ("aiomysql", "0.2.0"),
        ("gino", "1.0.1"), ("piccolo", "1.38.0"), ("tortoise-orm", "1.1.9"), ("sqlmodel", "0.0.50"),
        ("advanced-alchemy", "1.12.0"), ("fastapi-users", "15.0.1"), ("fastapi-users-db-sqlalchemy", "7.0.0"),
        ("sqladmin", "0.32.0"), ("prefect", "3.4.24"), ("orm", "0.3.1"), ("psycopg", "3.3.9"),
        ("asyncmy", "0.2.18"), ("sqlalchemy-utils", "0.43.0"), ("beanie", "2.2.0"), ("motor", "3.7.1"),
        ("aerich", "0.10.1"),
    ],
    "big": [
        ("django", "5.2.8"), ("sqlalchemy", "2.0.44"), ("fastapi", "0.165.0"), ("starlette", "0.50.0"),
        ("alembic", "1.17.2"), ("pydantic", "2.12.5"), ("pip", "25.3"), ("sympy", "1.14.0"),
    ],
}
# One module of a large application, as pre-commit and editors lint it:
# (distribution in CORPORA, module, a sibling module that imports much the same),
# paths relative to the application's root (the directory holding its top-level package).
# flow_runs.py imports from 19 prefect modules (the most of server/api/, ~330 project
# files transitively), task_runs.py from 16, 13 of them the same. The repository
# imports names from 12 advanced_alchemy modules (37 names, the most of any
# non-package module); the service imports it and shares all it reaches.
ONE_FILE_TARGETS: List[Tuple[str, str, str]] = [
    ("prefect", "prefect/server/api/flow_runs.py", "prefect/server/api/task_runs.py"),
    ("advanced-alchemy", "advanced_alchemy/repository/_async.py", "advanced_alchemy/service/_async.py"),
]
ONE_FILE_TOOLS = ["asyncdb-lint (cold)", "asyncdb-lint (warm)", "flake8 (plain)", "ruff"]
PEERS = ["ruff==0.17.6", "bandit==1.9.4", "flake8==7.5.0", "flake8-async==26.8.1"]
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asyncdb-lint-bench"


# ------------------------------------------------------------------ corpora
def fetch(corpus: str, cache: Path) -> Path:
    """Download and unpack the corpus's pinned releases (sdist when possible, else wheel)."""
    root = cache / corpus
    for name, version in CORPORA[corpus]:
        target = root / f"{name}-{version}"
        if target.exists():
            continue
        with tempfile.TemporaryDirectory() as download:
            archive = _download(name, version, Path(download))
            if archive is None:
                print(f"warning: could not download {name}=={version}; skipped", file=sys.stderr)
                continue
            staging = Path(download) / "unpacked"
            _unpack(archive, staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging), str(target))
    return root


def _download(name: str, version: str, into: Path) -> Optional[Path]:
    # The release itself as an sdist where there is one (its tests and docs are code
    # too); its build requirements may be wheels, or pip would compile them.
    for flags in (["--no-binary", name], ["--only-binary", ":all:"]):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *flags, f"{name}=={version}", "-d", str(into)],
            capture_output=True, text=True,
        )
        archives = [p for p in into.iterdir() if p.is_file()]
        if result.returncode == 0 and archives:
            return archives[0]
    return None


def _unpack(archive: Path, into: Path) -> None:
    into.mkdir(parents=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as handle:
            handle.extractall(into)
    else:
        with tarfile.open(archive) as handle:
            handle.extractall(into, filter="data") if sys.version_info >= (3, 12) else handle.extractall(into)


def python_files(root: Path) -> List[str]:
    return sorted(str(p) for p in root.rglob("*.py") if p.is_file())


def environment(cache: Path, name: str, packages: Sequence[str]) -> Path:
    """A virtual environment under the cache with ``packages`` installed (made once)."""
    home = cache / "venvs" / name
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    marker = home / "installed.txt"
    if not marker.exists() or marker.read_text() != "\n".join(packages):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
        marker.write_text("\n".join(packages))
    return python


def sample(files: List[str], fraction: float) -> List[str]:
    """Every k-th file, so that each share has the same mix of packages as the whole."""
    count = max(1, int(len(files) * fraction))
    return [files[int(i * len(files) / count)] for i in range(count)]


# ------------------------------------------------------------------ timing
def run_timed(command: Sequence[str], cwd: Optional[str] = None) -> Tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the command's largest process, exit code)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)  # this command's usage only (and its waited-for children)
        wall = time.perf_counter() - start
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    # 1 means findings; a missing module or a traceback means the figure is worthless
    if code not in (0, 1) or "No module named" in text or "Traceback" in text:
        last = text.strip().splitlines()[-1:] or [""]
        sys.stderr.write(f"warning: {' '.join(command[:3])}... exited {code}: {last[0]}\n")
    return wall, usage.ru_maxrss / 1024, code


def tools(file_list: str, cache_dir: str, peers: Path, plain: Path) -> Dict[str, List[str]]:
    """Every tool reads the same list of files."""
    at_files = f"@{file_list}"
    python = sys.executable
    return {
        "asyncdb-lint (cold)": [python, "-m", "asyncdb_lint", "--isolated", "--no-cache", "--quiet", at_files],
        "asyncdb-lint (warm)": [python, "-m", "asyncdb_lint", "--isolated", "--cache-dir", cache_dir, "--quiet", at_files],
        "flake8 + asyncdb-lint plugin": [python, "-m", "flake8", "--isolated", "--extend-select", "ADB", "--exit-zero", at_files],
        "flake8 (plain)": [str(plain), "-m", "flake8", "--isolated", "--exit-zero", at_files],
        "ruff": [str(peers.parent / "ruff"), "check", "--isolated", "--no-cache", "--select", "ASYNC,S608", "--exit-zero", "--quiet", at_files],
        "flake8 + flake8-async": [str(peers), "-m", "flake8", "--isolated", "--select", "ASYNC", "--exit-zero", at_files],
        "bandit -t B608": [str(peers), "-m", "bandit", "-q", "-t", "B608", at_files],
    }


def expand_at_files(command: List[str]) -> List[str]:
    """ruff/flake8/bandit do not read @file lists: expand them into arguments."""
    expanded = []
    for argument in command:
        if argument.startswith("@") and os.path.isfile(argument[1:]):
            with open(argument[1:], encoding="utf-8") as handle:
                expanded.extend(line.strip() for line in handle if line.strip())
        else:
            expanded.append(argument)
    return expanded


def measure(files: List[str], runs: int, skip: Sequence[str], peers: Path, plain: Path) -> Dict[str, Dict[str, float]]:
    with tempfile.TemporaryDirectory() as work:
        file_list = os.path.join(work, "files.txt")
        Path(file_list).write_text("\n".join(files) + "\n", encoding="utf-8")
        cache_dir = os.path.join(work, "cache")
        commands = {
            name: expand_at_files(cmd) for name, cmd in tools(file_list, cache_dir, peers, plain).items() if name not in skip
        }
        # prime the warm cache once
        if "asyncdb-lint (warm)" in commands:
            run_timed(commands["asyncdb-lint (warm)"])
        times: Dict[str, List[float]] = {name: [] for name in commands}
        memory: Dict[str, float] = {name: 0.0 for name in commands}
        for _ in range(runs):  # interleaved: every tool once per round
            for name, command in commands.items():
                wall, rss, _code = run_timed(command)
                times[name].append(wall)
                memory[name] = max(memory[name], rss)
        return {name: {"median": statistics.median(values), "rss": memory[name]} for name, values in times.items()}


# ------------------------------------------------------------------ one module of an application
def corpus_of(dist: str) -> Tuple[str, str]:
    """(corpus, version) of a pinned distribution."""
    for corpus, pinned in CORPORA.items():
        for name, version in pinned:
            if name == dist:
                return corpus, version
    raise KeyError(f"{dist} is in no corpus")


def application_root(unpacked: Path, module: str) -> Optional[Path]:
    """The directory holding the module's top-level package (an sdist's `src/` if it has one).

    Found from where the module lies, so that the same table works for
    sdists with or without `src/` and for wheels; a `build/` copy loses to the
    shallowest match.
    """
    depth = len(Path(module).parts)
    matches = sorted((p for p in unpacked.rglob(module) if "build" not in p.relative_to(unpacked).parts), key=lambda p: len(p.parts))
    return matches[0].parents[depth - 1] if matches else None


def measure_one_file(root: Path, module: str, sibling: str, runs: int, skip: Sequence[str], peers: Path,
                     plain: Path) -> Dict[Tuple[str, str], Dict[str, float]]:
    """Each tool on ``module`` and on ``sibling`` alone, from the application's root, by (file, tool).

    Cold is what a first pre-commit run or a CI job sees. Warm is the next
    file of the same application: asyncdb-lint's cache is primed on
    ``module`` (fresh every round), then ``sibling`` is timed with it, so it
    says what the cache saves across files, not the same file twice.
    Every tool also runs on ``sibling``, so that ratios compare the same file.
    """
    with tempfile.TemporaryDirectory() as work:
        cache_dir = os.path.join(work, "cache")
        commands: Dict[Tuple[str, str], List[str]] = {}
        for index, path in enumerate((module, sibling)):
            file_list = os.path.join(work, f"files{index}.txt")
            Path(file_list).write_text(path + "\n", encoding="utf-8")
            for name, command in tools(file_list, cache_dir, peers, plain).items():
                if name in ONE_FILE_TOOLS and name not in skip and (name != "asyncdb-lint (warm)" or path == sibling):
                    commands[(path, name)] = expand_at_files(command)
        prime = expand_at_files(tools(os.path.join(work, "files0.txt"), cache_dir, peers, plain)["asyncdb-lint (warm)"])
        times: Dict[Tuple[str, str], List[float]] = {key: [] for key in commands}
        memory: Dict[Tuple[str, str], float] = {key: 0.0 for key in commands}
        for _ in range(runs):  # interleaved: every tool once per round
            for key, command in commands.items():
                if key[1] == "asyncdb-lint (warm)":
                    shutil.rmtree(cache_dir, ignore_errors=True)
                    run_timed(prime, cwd=str(root))
                wall, rss, _code = run_timed(command, cwd=str(root))
                times[key].append(wall)
                memory[key] = max(memory[key], rss)
        return {key: {"median": statistics.median(values), "rss": memory[key]} for key, values in times.items()}


def one_file_rows(dist: str, module: str, sibling: str, cache: Path, runs: int, skip: Sequence[str], peers: Path,
                  plain: Path) -> List[Tuple]:
    """Table rows for one target; ratios are to ruff and plain flake8 on the same file."""
    corpus, version = corpus_of(dist)
    root = application_root(fetch(corpus, cache) / f"{dist}-{version}", module)
    if root is None or not (root / sibling).is_file():
        print(f"warning: {module} or {sibling} not found in {dist} {version}; skipped", file=sys.stderr)
        return []
    results = measure_one_file(root, module, sibling, runs, skip, peers, plain)
    rows = []
    for (path, name), values in results.items():
        tool = f"asyncdb-lint (cache primed on `{module}`)" if name == "asyncdb-lint (warm)" else name
        rows.append(row(f"app: {dist}", "1 file", 1, f"{tool} `{path}`", values,
                        results.get((path, "ruff")), results.get((path, "flake8 (plain)"))))
    return rows


# ------------------------------------------------------------------ report
def row(corpus: str, share: str, count: int, name: str, values: Dict[str, float],
        ruff: Optional[Dict[str, float]], flake8: Optional[Dict[str, float]]) -> Tuple:
    """(corpus, share, files, tool, median, vs ruff, vs plain flake8, peak RSS); printed as it comes."""
    median = values["median"]
    vs_ruff = median / ruff["median"] if ruff else None
    vs_flake8 = median / flake8["median"] if flake8 else None
    print(f"{corpus:4} {share:>6} {count:6} files  {name:32} {median:8.2f}s  {_ratio(vs_ruff):>6} ruff  "
          f"{_ratio(vs_flake8):>6} flake8  {values['rss']:7.0f} MB", file=sys.stderr)
    return (corpus, share, count, name, median, vs_ruff, vs_flake8, values["rss"])


def _ratio(ratio: Optional[float]) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"  # ruff on one file is a few hundredths of flake8


def corpus_rows(corpus: str, args: argparse.Namespace, peers: Path, plain: Path) -> List[Tuple]:
    """Every tool on growing shares of the whole corpus."""
    root = fetch(corpus, args.cache)
    files = python_files(root)
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"{corpus}: {len(files)} files, {lines} lines: " + ", ".join(f"{n} {v}" for n, v in CORPORA[corpus]), file=sys.stderr)
    fractions = [float(x) for x in args.fractions.split(",")]
    rows = []
    for fraction in fractions:
        subset = sample(files, fraction)
        skip = args.skip + (args.whole_only if fraction < 1 else []) + (args.first_share_only if fraction != fractions[0] else [])
        results = measure(subset, args.runs, skip, peers, plain)
        for name, values in results.items():
            rows.append(row(corpus, f"{fraction:g}", len(subset), name, values, results.get("ruff"), results.get("flake8 (plain)")))
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where corpora are downloaded")
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append", help="default: all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fractions", default="0.25,0.5,1", help="sizes of each corpus to time, for linearity")
    parser.add_argument("--skip", action="append", default=[], help="tool names to leave out")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for the README")
    parser.add_argument("--whole-only", action="append", default=[],
                        help="tool names to time on the whole corpus only")
    parser.add_argument("--first-share-only", action="append", default=[],
                        help="tool names to time on the first share only (flake8-async takes many minutes)")
    parser.add_argument("--one-file", action="store_true",
                        help="only time single modules of an application (ONE_FILE_TARGETS), as pre-commit lints them")
    parser.add_argument("--skip-one-file", action="store_true", help="leave the single modules out")
    args = parser.parse_args(argv)
    from importlib.metadata import version

    peers = environment(args.cache, "peers", PEERS)
    plain = environment(args.cache, "plain-flake8", [f"flake8=={version('flake8')}"])

    corpora = args.corpus or sorted(CORPORA)
    rows = []
    for corpus in [] if args.one_file else corpora:
        rows.extend(corpus_rows(corpus, args, peers, plain))
    for dist, module, sibling in [] if args.skip_one_file else ONE_FILE_TARGETS:
        if corpus_of(dist)[0] in corpora:
            rows.extend(one_file_rows(dist, module, sibling, args.cache, args.runs, args.skip, peers, plain))
    if args.markdown:
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}\n")
        print("| corpus | share | files | tool | median wall | vs ruff | vs flake8 | peak RSS |")
        print("|---|---|---|---|---|---|---|---|")
        for corpus, share, count, name, median, vs_ruff, vs_flake8, rss in rows:
            print(f"| {corpus} | {share} | {count} | {name} | {median:.2f} s | {_ratio(vs_ruff)} | {_ratio(vs_flake8)} | {rss:.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
