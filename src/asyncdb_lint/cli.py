"""The `asyncdb-lint` command: a thin typer app over settings, the runner and the reports."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from asyncdb_lint import __version__, report
from asyncdb_lint.files import MissingPath, discover
from asyncdb_lint.results import FileResult, finish_project_rules
from asyncdb_lint.runner import FixMode, fix_source, index_salt, lint_files, prepare
from asyncdb_lint.settings import Settings, SettingsError, load_settings, parse_codes
from asyncdb_lint.source import SourceError, decode_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "rule", "config", "server")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find (and fix) misuse of async database APIs. `asyncdb-lint [PATHS]` is `asyncdb-lint check [PATHS]`.",
)


class OutputFormat(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    json_lines = "json-lines"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"
    junit = "junit"


class RuleFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"asyncdb-lint {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find (and fix) misuse of async database APIs."""


def _fail(message: str) -> None:
    typer.echo(f"asyncdb-lint: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _settings(config: Optional[str], isolated: bool, **overrides) -> Settings:
    try:
        return load_settings(overrides, config=config, isolated=isolated)
    except SettingsError as error:
        _fail(str(error))
        raise  # unreachable


@app.command()
def check(
    paths: List[str] = typer.Argument(None, help="Files or directories to lint (default: .); `-` reads standard input."),
    output_format: OutputFormat = typer.Option(
        OutputFormat.text, "--format", "--output-format", help="Output format (`--output-format` is ruff's name)."
    ),
    select: List[str] = typer.Option([], "--select", help="Rule codes or prefixes to enable (comma-separated)."),
    ignore: List[str] = typer.Option([], "--ignore", help="Rule codes or prefixes to disable (comma-separated)."),
    extend_select: List[str] = typer.Option([], "--extend-select", help="Codes to enable on top of the selection."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="With --fix or --diff, apply unsafe fixes too."),
    diff: bool = typer.Option(False, "--diff", help="Print the changes --fix would make, and write nothing."),
    show_source: bool = typer.Option(False, "--show-source", help="Show the source line under each finding."),
    statistics: bool = typer.Option(False, "--statistics", help="Print a count per rule instead of each finding."),
    output_file: Optional[str] = typer.Option(None, "--output-file", "-o", help="Write the report to this file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the findings (no summary)."),
    config: Optional[str] = typer.Option(None, "--config", help="Read settings from this pyproject.toml."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore configuration files."),
    show_settings: bool = typer.Option(False, "--show-settings", help="Print the resolved settings and exit."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="The path to report for `-`."),
    force_exclude: bool = typer.Option(
        False, "--force-exclude", help="Apply excludes and .gitignore to files named explicitly too (pre-commit)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the cache."),
    cache_dir: Optional[str] = typer.Option(None, "--cache-dir", help="Where to keep the cache."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings remain."),
    add_noqa: bool = typer.Option(
        False, "--add-noqa", help="Add `# noqa: CODE` for every current finding (to adopt on an existing codebase)."
    ),
) -> None:
    """Lint PATHS (files or directories) for misuse of async database APIs."""
    try:
        codes = dict(select=parse_codes(select), ignore=parse_codes(ignore), extend_select=parse_codes(extend_select))
    except SettingsError as error:
        _fail(str(error))
    settings = _settings(config, isolated, unsafe_fixes=unsafe_fixes, **codes)
    if show_settings:
        typer.echo(settings.describe())
        raise typer.Exit(EXIT_CLEAN)
    if add_noqa and (fix or diff or paths == ["-"]):
        _fail("--add-noqa works on files, and not together with --fix or --diff")  # before anything is written
    unsafe = settings.unsafe_fixes
    want_edits = output_format in (OutputFormat.json, OutputFormat.json_lines, OutputFormat.sarif)
    mode = FixMode(unsafe=unsafe, diff_only=diff) if (fix or diff) else None

    targets = paths or ["."]
    cache = None if no_cache else (cache_dir or os.path.join(settings.root, settings.cache_dir))
    if targets == ["-"]:
        results = [_lint_stdin(settings, stdin_filename or "-", mode, want_edits, cache)]
    else:
        try:
            files = discover(
                targets, exclude=(*settings.exclude, *settings.extend_exclude),
                root=settings.root, respect_gitignore=settings.respect_gitignore, force_exclude=force_exclude,
            )
        except MissingPath as missing:
            _fail(f"{missing}: no such file or directory")
        # Whole-tree rules (ADB205) only speak when whole directories were given.
        complete = all(os.path.isdir(target) for target in targets)
        with _progress_bar(len(files), enabled=not quiet) as progress:
            results = lint_files(
                files, settings, complete=complete, fix=mode, want_edits=want_edits, cache_dir=cache, progress=progress,
            )

    diagnostics = sorted(d for result in results for d in result.diagnostics)
    errors = [error for result in results for error in result.errors]
    fixed = sum(result.fixed for result in results)

    if add_noqa:
        _add_noqa(diagnostics, errors)

    if diff:
        output = "".join(result.diff for result in results)
    elif targets == ["-"] and fix:
        output = results[0].fixed_text
    elif statistics:
        output = report.statistics(diagnostics, unsafe=unsafe)
    else:
        stream = sys.stdout if output_file is None else None
        style = report.Style.for_stream(stream) if stream is not None else report.Style(False)
        output = report.FORMATS[output_format.value](
            diagnostics, unsafe=unsafe, show_source=show_source, style=style
        )
    _emit(output, output_file)
    if targets == ["-"] and fix and diagnostics and not quiet:
        sys.stderr.write(report.text(diagnostics, unsafe=unsafe))
    for result in results:
        for note in result.notes:
            typer.echo(note, err=True)
    for error in errors:
        typer.echo(error.describe(), err=True)
    if output_format in (OutputFormat.text, OutputFormat.concise) and not diff and not quiet:
        _summary(diagnostics, fixed, fix, unsafe)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    if diff:
        raise typer.Exit(EXIT_FINDINGS if any(result.diff for result in results) else EXIT_CLEAN)
    raise typer.Exit(EXIT_CLEAN if exit_zero or not diagnostics else EXIT_FINDINGS)


# Runs this long get a progress bar (on a terminal): below it, one is gone
# before it can be read.
PROGRESS_THRESHOLD = 300


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool):
    """A progress bar on standard error while files are linted - only on a
    terminal, never when it is piped or with ``--quiet``, and only for runs of
    ``PROGRESS_THRESHOLD`` files or more. Yields the callback, or None."""
    if not enabled or total < PROGRESS_THRESHOLD or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("Linting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
        console=_stderr_console(),
    ) as bar:
        task = bar.add_task("lint", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _add_noqa(diagnostics, errors) -> None:
    """`--add-noqa`: suppress the current findings in place, report how many, exit."""
    from asyncdb_lint.add_noqa import add_noqa

    added, notes = add_noqa(diagnostics)
    for note in notes:
        typer.echo(note, err=True)
    for error in errors:
        typer.echo(error.describe(), err=True)
    typer.echo(f"Added {added} noqa {'directive' if added == 1 else 'directives'}.", err=True)
    raise typer.Exit(EXIT_ERROR if errors else EXIT_CLEAN)


def _lint_stdin(
    settings: Settings, filename: str, mode: Optional[FixMode], want_edits: bool, cache_dir: Optional[str]
) -> FileResult:
    """Lint (or fix) source read from standard input, reported as ``filename``."""
    from asyncdb_lint.checker import check_source
    from asyncdb_lint.index.project import ProjectIndex

    data = sys.stdin.buffer.read()
    prepare(settings)
    index = ProjectIndex(cache_dir=cache_dir, salt=index_salt(settings))
    try:
        source = decode_source(filename, data)
    except SourceError as error:
        from asyncdb_lint.diagnostics import Diagnostic

        result = FileResult(filename, diagnostics=[
            Diagnostic(filename, error.line, error.column, error.line, error.column, "ADB001", error.message)
        ])
        result.fixed_text = data.decode("utf-8", errors="replace")
        return result
    if mode is not None:
        result, fixed = fix_source(source, settings, index, mode, want_edits)
        result.fixed_text = fixed.text
        if mode.diff_only and fixed.text != source.text:
            from asyncdb_lint.fixes import unified_diff

            result.diff = unified_diff(filename, source.text, fixed.text)
    else:
        result = check_source(source, settings, index, want_edits=want_edits)
    index.flush()
    finish_project_rules([result], settings, complete=False)
    return result


def _emit(output: str, output_file: Optional[str]) -> None:
    if output_file is None:
        sys.stdout.write(output)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(output)
    except OSError as error:
        _fail(f"cannot write {output_file}: {error.strerror or error}")


def _summary(diagnostics, fixed: int, fix: bool, unsafe: bool) -> None:
    def plural(count: int, word: str, words: str) -> str:
        return f"{count} {word if count == 1 else words}"

    if fixed:
        total = fixed + len(diagnostics)
        typer.echo(f"Found {plural(total, 'error', 'errors')} ({fixed} fixed, {len(diagnostics)} remaining).", err=True)
    elif diagnostics:
        typer.echo(f"Found {plural(len(diagnostics), 'error', 'errors')}.", err=True)
    safe = sum(1 for d in diagnostics if d.applicability == "safe")
    hidden = sum(1 for d in diagnostics if d.applicability == "unsafe")
    if safe and not fix:
        typer.echo(f"[*] {plural(safe, 'fix', 'fixes')} available with `--fix`.", err=True)
    if hidden and not unsafe:
        typer.echo(f"{plural(hidden, 'more fix', 'more fixes')} available with `--fix --unsafe-fixes`.", err=True)


@app.command()
def rule(
    code: Optional[str] = typer.Argument(None, help="A rule code, e.g. ADB101."),
    all_rules: bool = typer.Option(False, "--all", help="List every rule."),
    output_format: RuleFormat = typer.Option(RuleFormat.text, "--format", help="Output format."),
) -> None:
    """Print a rule's documentation (or, with --all, every rule)."""
    from asyncdb_lint.rules import ALL_RULES, RULES_BY_CODE

    if all_rules:
        rules = ALL_RULES
    elif code and code.upper() in RULES_BY_CODE:
        rules = [RULES_BY_CODE[code.upper()]]
    else:
        _fail(f"unknown rule {code!r}; `asyncdb-lint rule --all` lists them")
    if output_format is RuleFormat.json:
        payload = [_rule_json(r) for r in rules]
        typer.echo(json.dumps(payload if all_rules else payload[0], indent=2))
    elif all_rules:
        for r in rules:
            typer.echo(f"{r.code}  {r.name:<36} {r.summary}")
    else:
        typer.echo(rules[0].docs())


@app.command("config")
def show_config(
    config: Optional[str] = typer.Option(None, "--config", help="Read settings from this pyproject.toml."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore configuration files."),
) -> None:
    """Print the resolved settings and where each came from."""
    typer.echo(_settings(config, isolated).describe())


@app.command()
def server() -> None:
    """Run the language server for editors (LSP over standard input and output)."""
    try:
        from asyncdb_lint.server.lsp import serve
    except ImportError as missing:
        if missing.name not in ("pygls", "lsprotocol") and not (missing.name or "").startswith(("pygls.", "lsprotocol.")):
            raise
        _fail(f"the language server needs pygls: pip install 'asyncdb-lint[lsp]' ({missing})")
    serve()


def _rule_json(rule_obj) -> dict:
    return {
        "code": rule_obj.code,
        "name": rule_obj.name,
        "summary": rule_obj.summary,
        "default_enabled": rule_obj.default_enabled,
        "url": report.rule_url(rule_obj.code),
        "explanation": rule_obj.docs(),
    }


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point: `asyncdb-lint PATHS` means `asyncdb-lint check PATHS`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in SUBCOMMANDS and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "check")
    try:
        app(args=args, prog_name="asyncdb-lint", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # an internal error must still exit 2, with one line
        sys.stderr.write(f"asyncdb-lint: internal error: {type(error).__name__}: {error}\n")
        sys.exit(EXIT_ERROR)
