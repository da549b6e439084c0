"""Reading and parsing one file, turning every way that can fail into a SourceError."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:
    import libcst as cst


class SourceError(Exception):
    """The file cannot be read, decoded or parsed: reported as ADB001."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.column = max(column, 1)


# Python's own line breaks (and the LSP's): not the form feeds, vertical tabs and
# Unicode separators that `str.splitlines` also breaks at, which would number
# the lines after them differently from the parser.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str, keepends: bool = False) -> List[str]:
    """``text``'s lines as the parser numbers them."""
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


@dataclass
class Source:
    path: str
    data: Optional[bytes]  # None when we were handed text (the flake8 plugin)
    text: str
    encoding: str


def read_source(path: str) -> Source:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise SourceError("is a directory, not a Python file") from None
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    return decode_source(path, data)


def decode_source(path: str, data: bytes) -> Source:
    """Decode bytes as Python does: BOM, then a PEP 263 coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(f"cannot decode file: {error.msg if hasattr(error, 'msg') else error}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode file as {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(path, data, text, encoding)


def parse_source(source: Source, syntax_checked: bool = False) -> "cst.Module":
    """Parse with LibCST, after a cheap check with Python's own parser (unless
    the caller made it: ``syntax_checked``).

    Python's parser comes first because it is an order of magnitude faster,
    gives the familiar syntax error messages, and refuses pathological nesting
    with an exception where LibCST's native parser exhausts its stack (3,000
    nested parentheses crash the process).
    """
    import libcst as cst  # not at import time: a run answered from the cache never parses

    if not syntax_checked:
        check_syntax(source)
    try:
        return cst.parse_module(source.data if source.data is not None else source.text)
    except cst.ParserSyntaxError as error:
        raise SourceError(f"LibCST cannot parse file: {error.message}", error.raw_line, error.raw_column + 1) from None
    except (RecursionError, MemoryError) as error:
        raise SourceError(f"cannot parse file: {type(error).__name__}") from None
    except Exception as error:  # LibCST raises a few other types on odd input
        raise SourceError(f"LibCST cannot parse file: {type(error).__name__}: {error}") from None


def check_syntax(source: Source) -> None:
    """Python's own parser: all that ADB001 needs for a file no rule looks into."""
    if "\x00" in source.text:
        raise SourceError("file contains NUL bytes: not Python source")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source.text, filename=source.path)
    except SyntaxError as error:
        raise SourceError(
            f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1
        ) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise SourceError(f"cannot parse file: {type(error).__name__}: {error}") from None


def parse_text(text: str, path: str = "<string>") -> "cst.Module":
    """Parse source given as text (the flake8 plugin, tests)."""
    return parse_source(Source(path, None, text, "utf-8"))
