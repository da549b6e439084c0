"""`--add-noqa`: suppress every current finding in place, to adopt the linter on
an existing codebase and fix the findings over time.

Each finding gets `# noqa: CODE` on the line where `# noqa` is honoured for it:
the first line of its statement (the line itself for a one-line statement). A
line that already has `# noqa: ...` gets the code merged into it; a bare
`# noqa` already covers everything. Only comments are added: the rest of the
file stays byte for byte, with its encoding and line endings, and is written
the way fixes are (re-parsed first, atomically). A line that cannot take a
comment - it ends inside a string or with a backslash continuation - falls back
to the finding's own line, where `# noqa` is honoured too, and then to the line
that closes the multi-line string holding it, whose `# noqa` covers the whole
string (as in flake8); if none can, the finding is left and said so.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Set, Tuple

from asyncdb_lint.diagnostics import Diagnostic
from asyncdb_lint.fixes import WriteRefused, parses, write_atomically
from asyncdb_lint.noqa import NOQA_COMMENT, multiline_strings, split_codes
from asyncdb_lint.source import SourceError, decode_source, split_lines

def add_noqa(diagnostics: Sequence[Diagnostic]) -> Tuple[int, List[str]]:
    """Add the comments for ``diagnostics``; returns how many codes were added, and notes."""
    by_path: Dict[str, List[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        if diagnostic.code != "ADB001":  # a file that cannot be read or parsed has nowhere to put one
            by_path[diagnostic.path].append(diagnostic)
    added, notes = 0, []
    for path, found in sorted(by_path.items()):
        count, file_notes = _add_to_file(path, found)
        added += count
        notes.extend(file_notes)
    return added, notes


def _add_to_file(path: str, diagnostics: List[Diagnostic]) -> Tuple[int, List[str]]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        source = decode_source(path, data)
    except (OSError, SourceError) as error:
        return 0, [f"{path}: not changed: {error}"]
    new_text, count, notes = NoqaPlacement(path, source.text).with_comments(diagnostics)
    if not count:
        return 0, notes
    try:
        write_atomically(path, new_text.encode(source.encoding), data)
    except WriteRefused as refused:
        return 0, notes + [f"{path}: not changed: {refused}"]
    return count, notes


class NoqaPlacement:
    """Where `# noqa` comments go in one text: it is read once (statements,
    multi-line strings), then asked about any findings (the language server asks
    about each finding on a line in turn)."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.lines = split_lines(text, keepends=True)
        strings = multiline_strings(text)
        self.unsafe = _lines_without_room(self.lines, strings)
        # A line inside a multi-line string -> the line that closes it, whose `# noqa`
        # covers the whole string (the outermost string, for f-strings in f-strings).
        self.closing = {
            line: last for first, last in sorted(strings, key=lambda s: s[0] - s[1]) for line in range(first, last)
        }
        self.statements = _statement_starts(text)

    def _target(self, diagnostic: Diagnostic) -> Optional[int]:
        start = self.statements.get(diagnostic.line, diagnostic.line)
        candidates = (start, diagnostic.line, self.closing.get(diagnostic.line), self.closing.get(start))
        return next(
            (line for line in candidates if line is not None and 0 < line <= len(self.lines) and line not in self.unsafe),
            None,
        )

    def with_comments(self, diagnostics: Sequence[Diagnostic]) -> Tuple[str, int, List[str]]:
        """The text with the comments that silence ``diagnostics``, how many codes
        were added, and notes on the ones that could not be."""
        wanted: Dict[int, Set[str]] = defaultdict(set)
        notes = []
        for diagnostic in diagnostics:
            target = self._target(diagnostic)
            if target is None:
                notes.append(f"{self.path}:{diagnostic.line}: {diagnostic.code}: no line of its statement can take a comment")
                continue
            wanted[target].add(diagnostic.code)
        lines = list(self.lines)
        count = 0
        for number, codes in wanted.items():
            line = lines[number - 1]
            body = line.rstrip("\r\n")
            new_body, new_codes = _with_codes(body, codes)
            count += new_codes
            lines[number - 1] = new_body + line[len(body):]
        new_text = "".join(lines)
        if count and not parses(new_text):
            return self.text, 0, notes + [f"{self.path}: not changed: the comments would not parse"]
        return new_text, count, notes


def _with_codes(body: str, codes: Set[str]) -> Tuple[str, int]:
    """The line with ``codes`` in its `# noqa` comment, and how many were new."""
    match = NOQA_COMMENT.search(body) if "#" in body else None
    if match is not None and match.group("codes") is None:
        return body, 0  # a bare `# noqa` covers every code
    if match is not None:
        present = split_codes(match.group("codes"))
        new = sorted(codes - set(present))
        if not new:
            return body, 0
        merged = f"# noqa: {', '.join(present + new)}"
        return body[:match.start()] + merged + body[match.end():], len(new)
    new = sorted(codes)
    return f"{body}  # noqa: {', '.join(new)}", len(new)


def _lines_without_room(lines: List[str], strings: List[Tuple[int, int]]) -> Set[int]:
    """Lines a comment cannot be appended to: inside a string that goes on to the
    next line (not its last line: that one closes it), or ending with a backslash continuation."""
    blocked = {number for number, line in enumerate(lines, start=1) if line.rstrip().endswith("\\")}
    for first, last in strings:
        blocked.update(range(first, last))
    return blocked


def _statement_starts(text: str) -> Dict[int, int]:
    """line -> the first line of the innermost statement holding it (where the
    checker honours `# noqa`; a decorated definition starts at its decorator)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    starts: Dict[int, int] = {}
    spans: List[Tuple[int, int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            first = node.lineno
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                first = min(first, *(decorator.lineno for decorator in decorators))
            last = node.end_lineno or node.lineno
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For,
                                 ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
                body = getattr(node, "body", None)
                if body:
                    last = body[0].lineno - 1  # its header only: the body's statements are their own
            spans.append((first, last, last - first))
    for first, last, _ in sorted(spans, key=lambda span: -span[2]):  # the innermost, written last, wins
        for line in range(first, last + 1):
            starts[line] = first
    return starts


__all__ = ["add_noqa", "NoqaPlacement"]
