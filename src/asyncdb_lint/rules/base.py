"""What every rule is: a code, documentation, and a check that asks the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar, Optional

import libcst as cst

from asyncdb_lint.fixes import Fix
from asyncdb_lint.model.semantic import SemanticModel


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one node; positions are resolved later, only if needed."""

    code: str
    node: cst.CSTNode
    message: str
    fix: Optional["Fix"] = None


Report = Callable[[Finding], None]


class Rule:
    """Subclasses set the class attributes and implement :meth:`check`.

    The documentation follows ruff's sections; ``example`` must trigger the rule
    and ``use_instead`` must not (the test suite lints both).
    """

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, e.g. "discarded-db-coroutine"
    summary: ClassVar[str]  # one line
    what_it_does: ClassVar[str]
    why_bad: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix_safety: ClassVar[str] = "No fix is offered."
    default_enabled: ClassVar[bool] = True
    # A project rule needs facts from every file: the runner calls
    # `project_facts` per file and `finish_project` once, at the end.
    project_rule: ClassVar[bool] = False
    # What it reports is a deprecated API (editors strike it through).
    deprecated_api: ClassVar[bool] = False

    def check(self, model: SemanticModel, report: Report) -> None:
        raise NotImplementedError

    def project_facts(self, model: SemanticModel) -> object:
        return None

    def keep_project_findings(self, facts: list, complete: bool) -> bool:
        """Whether this rule's per-file findings stand, given every file's facts."""
        return True

    def docs(self) -> str:
        return "\n".join([
            f"# {self.name} ({self.code})",
            "",
            self.summary,
            "",
            "## What it does",
            _dedent(self.what_it_does),
            "",
            "## Why is this bad?",
            _dedent(self.why_bad),
            "",
            "## Example",
            "```python",
            _dedent(self.example).rstrip(),
            "```",
            "",
            "Use instead:",
            "```python",
            _dedent(self.use_instead).rstrip(),
            "```",
            "",
            "## Fix safety",
            _dedent(self.fix_safety),
        ])


def _dedent(text: Optional[str]) -> str:
    import textwrap

    return textwrap.dedent(text or "").strip("\n")
