"""`# noqa` and `# noqa: ADB101, ADB102` comments, as flake8 and ruff read them.

As in flake8, a `# noqa` after a string that spans several lines covers every
line of the string: none of them but the last can carry a comment.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, FrozenSet, List, Optional, Tuple

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
    after_a_quote = False  # a `# noqa` that may close a multi-line string
    for number, line in enumerate(split_lines(text), start=1):
        if "#" not in line:
            continue
        match = NOQA_COMMENT.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        result[number] = None if codes is None else frozenset(split_codes(codes))
        after_a_quote = after_a_quote or any(quote in line[:match.start()] for quote in "'\"")
    if after_a_quote:  # only then is the text tokenized again, for its strings
        for first, last in multiline_strings(text):
            if last in result:
                for number in range(first, last):
                    result[number] = _union(result.get(number, frozenset()), result[last])
    return result


def _union(a: Optional[FrozenSet[str]], b: Optional[FrozenSet[str]]) -> Optional[FrozenSet[str]]:
    return None if a is None or b is None else a | b


def multiline_strings(text: str) -> List[Tuple[int, int]]:
    """The first and last lines of each string literal that spans several lines
    (an f-string with everything in it). Empty when ``text`` does not tokenize."""
    spans: List[Tuple[int, int]] = []
    starts: List[int] = []  # f-strings being read (tokenized in parts from Python 3.12 on)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tokenize.tok_name.get(token.type)
            if kind == "FSTRING_START":
                starts.append(token.start[0])
            elif kind == "FSTRING_END" and starts:
                first = starts.pop()
                if token.end[0] > first:
                    spans.append((first, token.end[0]))
            elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
                spans.append((token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return spans


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
