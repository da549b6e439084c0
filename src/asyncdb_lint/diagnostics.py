"""What a check produces: findings with positions, and internal errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    code: str
    message: str
    fix: Optional[Dict[str, Any]] = field(default=None, compare=False)

    @property
    def applicability(self) -> Optional[str]:
        return self.fix["applicability"] if self.fix else None

    def as_json(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class InternalError:
    """A bug in asyncdb-lint itself while checking one file: exit code 2."""

    path: str
    rule: str
    error: str

    def describe(self) -> str:
        return (
            f"{self.path}: internal error in {self.rule}: {self.error} "
            "(this is a bug in asyncdb-lint; please report it with the file that triggers it)"
        )
