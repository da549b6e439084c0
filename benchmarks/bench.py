"""Side-by-side timing of asyncdb-lint against ruff, flake8-async and bandit.

    python benchmarks/bench.py                 # download (once), then run everything
    python benchmarks/bench.py --runs 5 --corpus db --markdown

Pinned releases are downloaded from the package index into a cache directory
outside the repository (`--cache`, default ~/.cache/asyncdb-lint-bench) and
never committed, and so are two virtual environments with pinned peers: ruff,
bandit and flake8 with flake8-async, and a plain flake8 (the same version as
ours, without our plugin - flake8 runs every installed plugin in every run).
Every tool runs on the same files, interleaved, several runs each; the table
gives medians, ratios to ruff, and each process's peak RSS.
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
    for flags in (["--no-binary", ":all:"], ["--only-binary", ":all:"]):
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
    args = parser.parse_args(argv)
    from importlib.metadata import version

    peers = environment(args.cache, "peers", PEERS)
    plain = environment(args.cache, "plain-flake8", [f"flake8=={version('flake8')}"])

    rows = []
    for corpus in args.corpus or sorted(CORPORA):
        root = fetch(corpus, args.cache)
        files = python_files(root)
        lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
        print(f"{corpus}: {len(files)} files, {lines} lines: " + ", ".join(f"{n} {v}" for n, v in CORPORA[corpus]), file=sys.stderr)
        fractions = [float(x) for x in args.fractions.split(",")]
        for fraction in fractions:
            subset = sample(files, fraction)
            skip = args.skip + (args.whole_only if fraction < 1 else []) + (args.first_share_only if fraction != fractions[0] else [])
            results = measure(subset, args.runs, skip, peers, plain)
            ruff = results.get("ruff", {}).get("median")
            for name, values in results.items():
                rows.append((corpus, fraction, len(subset), name, values["median"], values["median"] / ruff if ruff else None, values["rss"]))
                print(f"{corpus:4} {fraction:>4} {len(subset):6} files  {name:32} {values['median']:8.2f}s  "
                      f"{(values['median'] / ruff) if ruff else float('nan'):6.2f}x ruff  {values['rss']:7.0f} MB", file=sys.stderr)
    if args.markdown:
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}\n")
        print("| corpus | share | files | tool | median wall | vs ruff | peak RSS |")
        print("|---|---|---|---|---|---|---|")
        for corpus, fraction, count, name, median, ratio, rss in rows:
            ratio_text = f"{ratio:.1f}x" if ratio is not None else "-"
            print(f"| {corpus} | {fraction:g} | {count} | {name} | {median:.2f} s | {ratio_text} | {rss:.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
