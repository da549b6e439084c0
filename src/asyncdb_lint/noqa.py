"""`# noqa` and `# noqa: ADB101, ADB102` comments, as flake8 and ruff read them."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional

from asyncdb_lint.source import split_lines

NOQA_COMMENT = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)

# None in the map means "every code" (a bare `# noqa`).
NoqaMap = Dict[int, Optional[FrozenSet[str]]]


def noqa_lines(text: str) -> NoqaMap:
    result: NoqaMap = {}
    if "noqa" not in text.lower():
        return result
    for number, line in enumerate(split_lines(text), start=1):
        if "#" not in line:
            continue
        match = NOQA_COMMENT.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        result[number] = None if codes is None else frozenset(split_codes(codes))
    return result


def split_codes(codes: str) -> List[str]:
    """The codes of a `# noqa: ...` comment, upper-cased, in their order."""
    return [code.upper() for code in re.split(r"[,\s]+", codes) if code]


def is_suppressed(noqa: NoqaMap, code: str, *lines: int) -> bool:
    for line in lines:
        if line in noqa:
            codes = noqa[line]
            if codes is None or any(code.startswith(c) for c in codes):
                return True
    return False
