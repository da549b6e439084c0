"""Which rules run. (Configuration files come with the configuration issue.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, Sequence, Tuple

from asyncdb_lint.rules import ALL_RULES, Rule


class SettingsError(ValueError):
    """A bad option value: a usage error (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    select: Tuple[str, ...] = ()  # code prefixes; empty means the default set
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for prefix in (*self.select, *self.ignore, *self.extend_select):
            if not any(rule.code.startswith(prefix) for rule in ALL_RULES) and not "ADB".startswith(prefix):
                raise SettingsError(f"unknown rule code or prefix: {prefix!r}")

    def enabled_codes(self) -> FrozenSet[str]:
        return frozenset(rule.code for rule in self.enabled_rules()) | (
            {"ADB001"} if self.is_enabled("ADB001") else set()
        )

    def is_enabled(self, code: str) -> bool:
        return _selected(code, self.select, self.ignore, self.extend_select, default=_default_enabled(code))

    def enabled_rules(self) -> Sequence[Rule]:
        return [rule for rule in ALL_RULES if self.is_enabled(rule.code)]


def _default_enabled(code: str) -> bool:
    for rule in ALL_RULES:
        if rule.code == code:
            return rule.default_enabled
    return True


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def _selected(code: str, select, ignore, extend_select, default: bool) -> bool:
    """Ruff's rule: the most specific matching prefix wins; ignore wins ties.

    A rule that is off by default is only turned on by a selector that names
    its family or itself (`ADB5`, `ADB503`), never by `ADB`/`ALL`.
    """
    chosen = _longest(code, (*select, *extend_select))
    if not default and chosen < 4:
        chosen = -1
    if not select and chosen < 0:
        chosen = 0 if default else -1
    ignored = _longest(code, ignore)
    return chosen >= 0 and chosen > ignored


def parse_codes(values: Iterable[str]) -> Tuple[str, ...]:
    """`--select ADB1,ADB201 --select ADB3` -> ("ADB1", "ADB201", "ADB3")."""
    codes = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if part:
                codes.append("ADB" if part == "ALL" else part)
    return tuple(codes)
