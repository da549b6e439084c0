"""Output formats. Each takes the diagnostics of a run and returns text."""

from __future__ import annotations

import json
from typing import Callable, Dict, Sequence

from asyncdb_lint.diagnostics import Diagnostic


def text(diagnostics: Sequence[Diagnostic], unsafe: bool = False) -> str:
    """`path:line:col: CODE [*] message`; `[*]` marks what `--fix` (or `--unsafe-fixes`) would fix."""
    return "".join(
        f"{d.path}:{d.line}:{d.column}: {d.code}{' [*]' if fixable(d, unsafe) else ''} {d.message}\n"
        for d in diagnostics
    )


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    return diagnostic.applicability == "safe" or (unsafe and diagnostic.applicability == "unsafe")


def json_array(diagnostics: Sequence[Diagnostic], unsafe: bool = False) -> str:
    return json.dumps([d.as_json() for d in diagnostics], indent=2) + "\n"


FORMATS: Dict[str, Callable[..., str]] = {
    "text": text,
    "json": json_array,
}
