"""What linting one file gives, and how the whole-tree rules settle across files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from asyncdb_lint.catalogue import RULES
from asyncdb_lint.diagnostics import Diagnostic, InternalError
from asyncdb_lint.settings import Settings


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[InternalError] = field(default_factory=list)
    facts: Dict[str, object] = field(default_factory=dict)  # project rules' per-file facts
    # For fixing: the parsed module (a LibCST module) and the fix of each (unsuppressed) diagnostic.
    module: Optional[Any] = None
    fixes: List[Tuple[Diagnostic, Any]] = field(default_factory=list)
    fixed: int = 0  # how many fixes `--fix` applied to this file
    notes: List[str] = field(default_factory=list)  # messages for the user (file left unchanged...)
    diff: str = ""  # with `--diff`: what `--fix` would change
    fixed_text: Optional[str] = None  # standard input with `--fix`: the fixed source
    unparsable: bool = False  # it did not parse (ADB001 says so, where it is on)


def finish_project_rules(results: List[FileResult], settings: Settings, complete: bool) -> None:
    """Drop a project rule's findings when every file's facts together overrule them."""
    codes = {rule.code for rule in RULES if rule.project_rule and settings.is_enabled(rule.code)}
    if not any(d.code in codes for result in results for d in result.diagnostics):
        return  # nothing to settle (and no need to load the rules)
    from asyncdb_lint.rules import RULES_BY_CODE

    for code in sorted(codes):
        facts = [result.facts.get(code) for result in results]
        if not RULES_BY_CODE[code].keep_project_findings(facts, complete):
            for result in results:
                result.diagnostics = [d for d in result.diagnostics if d.code != code]


def reports_unparsable(settings: Settings, path: str) -> bool:
    """ADB001 is on, and not switched off for this file by per-file-ignores."""
    return settings.is_enabled("ADB001") and not "ADB001".startswith(settings.ignored_for(path))
