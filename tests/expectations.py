"""Reading the expected codes that fixture files carry in trailing comments.

``# expect: ADB101`` (or ``# expect: ADB101, ADB102``) says the line must get
those findings; ``# ok: ADB101`` marks a line that looks like the bug but is
correct, and must not get that code. Any finding on a line without a marker is
unexpected too: the comparison is exact.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Set, Tuple

_MARKER = re.compile(r"#\s*(expect|ok):\s*(ADB\d{3}(?:\s*,\s*ADB\d{3})*)")


def read_markers(text: str) -> Tuple[Set[Tuple[int, str]], Set[Tuple[int, str]]]:
    expected: Set[Tuple[int, str]] = set()
    negatives: Set[Tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, codes in _MARKER.findall(line):
            target = expected if kind == "expect" else negatives
            for code in re.split(r"\s*,\s*", codes):
                target.add((number, code))
    return expected, negatives


def count_by_code(markers: Set[Tuple[int, str]]) -> Dict[str, int]:
    return dict(Counter(code for _, code in markers))
