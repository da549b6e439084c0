"""Output formats. Each takes the diagnostics of a run and returns text."""

from __future__ import annotations

import json
from typing import Callable, Dict, Sequence

from asyncdb_lint.diagnostics import Diagnostic


def text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def json_array(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_json() for d in diagnostics], indent=2) + "\n"


FORMATS: Dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": text,
    "json": json_array,
}
