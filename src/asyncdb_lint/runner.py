"""Many files: discovery, the shared project index, and one result per file."""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from asyncdb_lint.cache import FileHashes, ResultCache, import_stamp
from asyncdb_lint.diagnostics import Diagnostic, InternalError
from asyncdb_lint.model.libraries import install_custom
from asyncdb_lint.prefilter import Prefilter
from asyncdb_lint.prefilter import for_settings as prefilter_for
from asyncdb_lint.results import FileResult, finish_project_rules, reports_unparsable
from asyncdb_lint.settings import Settings
from asyncdb_lint.source import Source, SourceError, read_source

# The checker, the index and the fixes bring LibCST and the semantic model: they
# are imported where a file is analysed, so a run answered from the cache never loads them.
if TYPE_CHECKING:
    from asyncdb_lint.index.project import ProjectIndex
    from asyncdb_lint.model.semantic import ProjectIndexProtocol


MAX_FIX_ROUNDS = 10


@dataclass
class FixMode:
    unsafe: bool = False  # apply unsafe fixes too
    diff_only: bool = False  # compute the fixes, write nothing, keep the diff


# Below this many files a run stays in one process: pre-commit hands over small
# batches, and starting workers would cost more than it saves.
POOL_THRESHOLD = 64


@dataclass
class _Job:
    settings: Settings
    roots: List[str]
    state_sources: Sequence[str]
    fix: Optional[FixMode]
    want_edits: bool
    use_prefilter: bool
    cache_dir: Optional[str] = None
    stamp: str = ""


_WORKER: dict = {}


def _start(job: _Job) -> None:
    """Set up one process: the configuration's knowledge, a project index, the prefilter."""
    prepare(job.settings)
    prefilter = prefilter_for(job.settings) if job.use_prefilter else None
    cache = None
    if job.cache_dir is not None and job.fix is None and not job.want_edits:
        cache = ResultCache(job.cache_dir, _fingerprint(job.settings, job.use_prefilter))
    _WORKER.update(job=job, index=None, cache=cache, prefilter=prefilter)


def _index() -> "ProjectIndex":
    """This process's project index, made when the first file needs analysing."""
    if _WORKER["index"] is None:
        from asyncdb_lint.index.project import ProjectIndex

        job: _Job = _WORKER["job"]
        prefilter = _WORKER["prefilter"]
        index = ProjectIndex(
            search_roots=job.roots, gate=prefilter.index_gate if prefilter else None,
            cache_dir=job.cache_dir, salt=index_salt(job.settings),
        )
        index.add_state_sources(job.state_sources)
        _WORKER["index"] = index
    return _WORKER["index"]


def _fingerprint(settings: Settings, use_prefilter: bool) -> str:
    fields = {k: v for k, v in vars(settings).items() if k not in ("sources", "config_path")}
    return repr(sorted(fields.items())) + f"|prefilter={use_prefilter}"


def _run_one(path: str) -> FileResult:
    job: _Job = _WORKER["job"]
    if job.fix is not None:
        index = _index()
        result = fix_file(path, job.settings, index, job.fix, job.want_edits, _WORKER["prefilter"])
        index.flush()
        return result
    cache: Optional[ResultCache] = _WORKER["cache"]  # cached results were taken before: store only
    # hashed again, just before the file is read for linting: a result is stored under
    # the content it was made from, even if the file changed since the run began
    digest = cache.file_hash(path) if cache is not None else None
    index = _index()
    index.touched = set()
    result = lint_file(path, job.settings, index, job.want_edits, _WORKER["prefilter"])
    index.flush()
    if cache is not None and digest is not None:
        cache.store(path, digest, job.stamp, result, index.touched)
    return result


def _counted(results: Iterable[FileResult], done: int, total: int, progress) -> Iterator[FileResult]:
    """Yield ``results`` as they come, telling ``progress`` how many of ``total``
    files are done (``done`` of them were answered from the cache)."""
    if progress is not None:
        progress(done, total)
    for result in results:
        done += 1
        if progress is not None:
            progress(done, total)
        yield result


def lint_files(
    files: Sequence[str],
    settings: Settings,
    complete: bool = False,
    fix: Optional[FixMode] = None,
    want_edits: bool = False,
    use_prefilter: bool = True,
    jobs: Optional[int] = None,
    cache_dir: Optional[str] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[FileResult]:
    """Lint (and with ``fix``, fix) ``files``, in a process pool for large runs.

    ``complete`` says the files are the whole project, so whole-tree rules may
    speak; with ``cache_dir``, unchanged files reuse their earlier results.
    ``progress(done, total)`` is told as files are analysed (cached ones count
    at once).
    """
    roots = _package_roots(sorted({os.path.dirname(os.path.abspath(path)) for path in files}))
    hashes = FileHashes()
    stamp = import_stamp(_contents(files, hashes)) if cache_dir is not None else ""
    job = _Job(settings, roots, list(files), fix, want_edits, use_prefilter, cache_dir, stamp)
    results: List[Optional[FileResult]] = [None] * len(files)
    if cache_dir is not None and fix is None and not want_edits:
        # Cached results are taken here, before any worker starts: a warm run needs no pool.
        cache = ResultCache(cache_dir, _fingerprint(settings, use_prefilter), hashes)
        for position, path in enumerate(files):
            digest = hashes(path)
            if digest is not None:
                results[position] = cache.load(path, digest, stamp)
    todo = [path for path, result in zip(files, results) if result is None]
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(todo) >= POOL_THRESHOLD:
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with context.Pool(workers, initializer=_start, initargs=(job,)) as pool:
            # Neighbouring files import the same modules: contiguous chunks let a
            # worker's project index reuse what it modelled; 16 chunks a worker
            # keep the load balanced.
            chunksize = max(8, -(-len(todo) // (workers * 16)))
            imap = pool.imap(_run_one, todo, chunksize=chunksize)
            analysed = iter(list(_counted(imap, len(files) - len(todo), len(files), progress)))
    else:
        _start(job)
        each = (_run_one(path) for path in todo)
        analysed = iter(list(_counted(each, len(files) - len(todo), len(files), progress)))
    done = [result if result is not None else next(analysed) for result in results]
    finish_project_rules(done, settings, complete)
    return done


def _contents(files: Sequence[str], hashes: FileHashes) -> Iterator[Tuple[str, bytes]]:
    """Each file's bytes, read once for the import stamp and the content hashes both."""
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            data = None
        hashes.remember(path, data)
        yield path, data or b""


def index_salt(settings: Settings) -> str:
    """What the project index's stored answers depend on besides the files: the in-house names."""
    return repr((settings.async_db_types, settings.sync_db_calls, settings.sql_sinks))


def prepare(settings: Settings) -> None:
    """Install what the configuration teaches about the project's own code."""
    install_custom(settings.async_db_types, settings.sync_db_calls, settings.sql_sinks)


def lint_file(
    path: str, settings: Settings, index: "ProjectIndex", want_edits: bool = False, prefilter: Optional[Prefilter] = None
) -> FileResult:
    from asyncdb_lint.checker import check_source

    try:
        source = read_source(path)
    except SourceError as error:
        return _unreadable(path, error, settings)
    try:
        return _lean(check_source(source, settings, index, want_edits=want_edits, prefilter=prefilter))
    except Exception as error:  # never let one file stop the run
        return FileResult(path, errors=[InternalError(path, "checker", f"{type(error).__name__}: {error}")])


def fix_file(
    path: str, settings: Settings, index: "ProjectIndex", mode: FixMode, want_edits: bool = False,
    prefilter: Optional[Prefilter] = None,
) -> FileResult:
    """Apply fixes in rounds until none applies; write once, atomically (or keep a diff)."""
    from asyncdb_lint.checker import check_source
    from asyncdb_lint.fixes import WriteRefused, unified_diff, write_atomically

    try:
        source = read_source(path)
    except SourceError as error:
        return _unreadable(path, error, settings)
    final, fixed_source = fix_source(source, settings, index, mode, want_edits, prefilter)
    original, new = source.data or b"", fixed_source.data or b""
    if new != original:
        if mode.diff_only:
            final.diff = unified_diff(path, source.text, fixed_source.text)
        else:
            try:
                write_atomically(path, new, original)
            except WriteRefused as refusal:
                unchanged = check_source(source, settings, index, want_edits=want_edits)
                unchanged.notes.append(f"{path}: not fixed, because {refusal}")
                return _lean(unchanged)
    return _lean(final)


def fix_source(
    source: Source, settings: Settings, index: "ProjectIndexProtocol", mode: FixMode, want_edits: bool = False,
    prefilter: Optional[Prefilter] = None,
) -> Tuple[FileResult, Source]:
    """The remaining findings after fixing, and the fixed source (the same one when nothing applied)."""
    from asyncdb_lint.checker import check_source
    from asyncdb_lint.fixes import select_round

    path = source.path
    current = source
    applied = 0
    errors: List[InternalError] = []
    try:
        for _ in range(MAX_FIX_ROUNDS):
            result = check_source(current, settings, index, want_edits=want_edits, prefilter=prefilter)
            checked = current
            candidates = [fix for _diagnostic, fix in result.fixes if fix.applies(mode.unsafe)]
            if not candidates or result.module is None:
                break
            chosen = select_round(candidates)
            keys = {id(fix): _key(d) for d, fix in result.fixes}
            fixed = _try_apply(result.module, chosen)
            if fixed is None:
                # A fix broke the code: name it, and keep the file exactly as it was.
                culprits = [fix for fix in chosen if _try_apply(result.module, [fix]) is None] or chosen
                for fix in culprits:
                    code, line, _ = keys[id(fix)]
                    errors.append(InternalError(
                        path, code, f"the fix at line {line} produced code that does not parse; the file was left unchanged",
                    ))
                current, applied = source, 0
                break
            if fixed.code == current.text:
                break
            applied += len(chosen)
            current = Source(path, fixed.bytes, fixed.code, fixed.encoding)
        # The last check already describes the file unless a round changed it since.
        final = result if checked is current else check_source(current, settings, index, want_edits=want_edits)
    except Exception as error:  # never let one file stop the run, never write a half-fixed file
        return FileResult(path, errors=[InternalError(path, "fixer", f"{type(error).__name__}: {error}")]), source
    final.errors[:0] = errors
    final.fixed = applied
    return final, current


def _try_apply(module, fixes):
    """The fixed module, or None when applying fails or the result does not parse."""
    from asyncdb_lint.fixes import apply_fixes, parses

    try:
        fixed = apply_fixes(module, fixes)
        return fixed if parses(fixed.code) else None
    except Exception:
        return None


def _key(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.code, diagnostic.line, diagnostic.column)


def _lean(result: FileResult) -> FileResult:
    """Results of a whole run are kept until the end: drop the tree."""
    result.module = None
    result.fixes = []  # the diagnostics keep each fix's applicability and edits
    return result


def _unreadable(path: str, error: SourceError, settings: Settings) -> FileResult:
    result = FileResult(path)
    if reports_unparsable(settings, path):
        result.diagnostics.append(Diagnostic(path, error.line, error.column, error.line, error.column, "ADB001", error.message))
    return result


def _package_roots(directories: List[str]) -> List[str]:
    """The directories that absolute imports of the linted packages start from."""
    roots = []
    for directory in directories:
        while os.path.isfile(os.path.join(directory, "__init__.py")):
            directory = os.path.dirname(directory)
        roots.append(directory)
    return list(dict.fromkeys(roots))
