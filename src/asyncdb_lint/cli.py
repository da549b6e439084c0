"""The `asyncdb-lint` command: a thin typer app over the runner."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from asyncdb_lint import __version__, report
from asyncdb_lint.files import MissingPath, discover
from asyncdb_lint.rules import ALL_RULES, RULES_BY_CODE
from asyncdb_lint.runner import FixMode, lint_files
from asyncdb_lint.settings import Settings, SettingsError, parse_codes

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "rule")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find (and fix) misuse of async database APIs. `asyncdb-lint [PATHS]` is `asyncdb-lint check [PATHS]`.",
)


class OutputFormat(str, Enum):
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


@app.command()
def check(
    paths: List[str] = typer.Argument(None, help="Files or directories to lint (default: .)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
    select: List[str] = typer.Option([], "--select", help="Rule codes or prefixes to enable (comma-separated)."),
    ignore: List[str] = typer.Option([], "--ignore", help="Rule codes or prefixes to disable (comma-separated)."),
    extend_select: List[str] = typer.Option([], "--extend-select", help="Codes to enable on top of the selection."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="With --fix or --diff, apply unsafe fixes too."),
    diff: bool = typer.Option(False, "--diff", help="Print the changes --fix would make, and write nothing."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the cache."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings remain."),
) -> None:
    """Lint PATHS (files or directories) for misuse of async database APIs."""
    try:
        settings = Settings(select=parse_codes(select), ignore=parse_codes(ignore), extend_select=parse_codes(extend_select))
    except SettingsError as error:
        typer.echo(f"asyncdb-lint: error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR)
    targets = paths or ["."]
    try:
        files = discover(targets)
    except MissingPath as missing:
        typer.echo(f"asyncdb-lint: error: {missing}: no such file or directory", err=True)
        raise typer.Exit(EXIT_ERROR)

    # Whole-tree rules (ADB205) only speak when whole directories were given.
    complete = all(os.path.isdir(target) for target in targets)
    mode = FixMode(unsafe=unsafe_fixes, diff_only=diff) if (fix or diff) else None
    results = lint_files(files, settings, complete=complete, fix=mode, want_edits=output_format is OutputFormat.json)
    diagnostics = sorted(d for result in results for d in result.diagnostics)
    errors = [error for result in results for error in result.errors]
    fixed = sum(result.fixed for result in results)

    if diff:
        sys.stdout.write("".join(result.diff for result in results))
    else:
        sys.stdout.write(report.FORMATS[output_format.value](diagnostics, unsafe=unsafe_fixes))
    for result in results:
        for note in result.notes:
            typer.echo(note, err=True)
    for error in errors:
        typer.echo(error.describe(), err=True)
    if output_format is OutputFormat.text and not diff:
        _summary(diagnostics, fixed, fix, unsafe_fixes)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    if diff:
        raise typer.Exit(EXIT_FINDINGS if any(result.diff for result in results) else EXIT_CLEAN)
    raise typer.Exit(EXIT_CLEAN if exit_zero or not diagnostics else EXIT_FINDINGS)


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
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
) -> None:
    """Print a rule's documentation (or, with --all, every rule)."""
    if all_rules:
        rules = ALL_RULES
    elif code and code.upper() in RULES_BY_CODE:
        rules = [RULES_BY_CODE[code.upper()]]
    else:
        typer.echo(f"asyncdb-lint: error: unknown rule {code!r}; `asyncdb-lint rule --all` lists them", err=True)
        raise typer.Exit(EXIT_ERROR)
    if output_format is OutputFormat.json:
        payload = [_rule_json(r) for r in rules]
        typer.echo(json.dumps(payload if all_rules else payload[0], indent=2))
    elif all_rules:
        for r in rules:
            typer.echo(f"{r.code}  {r.name:<36} {r.summary}")
    else:
        typer.echo(rules[0].docs())


def _rule_json(rule_obj) -> dict:
    return {
        "code": rule_obj.code,
        "name": rule_obj.name,
        "summary": rule_obj.summary,
        "default_enabled": rule_obj.default_enabled,
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
