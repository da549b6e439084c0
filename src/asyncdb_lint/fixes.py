"""Fixes: what a rule proposes, how it is applied, checked and written.

A fix is a set of LibCST node changes (``original node -> function of the
updated node``), so every byte the fix does not touch - comments, blank lines,
quotes, formatting - is kept exactly. Applying fixes is done in rounds: apply
every applicable fix of a file at once, re-lint, repeat until nothing changes;
a round whose result does not parse is dropped and reported, never written.
"""

from __future__ import annotations

import ast
import difflib
import os
import stat
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import libcst as cst

from asyncdb_lint.source import split_lines

SAFE = "safe"
UNSAFE = "unsafe"
DISPLAY_ONLY = "display-only"

Change = Callable[[cst.CSTNode], cst.CSTNode]


@dataclass(eq=False)
class Fix:
    applicability: str  # SAFE, UNSAFE or DISPLAY_ONLY
    message: str
    changes: Dict[cst.CSTNode, List[Change]] = field(default_factory=dict)
    exclusive: bool = False  # rewrites the module's layout: applied alone in its round

    @classmethod
    def display_only(cls, message: str) -> "Fix":
        return cls(DISPLAY_ONLY, message)

    def change(self, node: cst.CSTNode, function: Change) -> "Fix":
        self.changes.setdefault(node, []).append(function)
        return self

    def applies(self, unsafe: bool) -> bool:
        return bool(self.changes) and (self.applicability == SAFE or (unsafe and self.applicability == UNSAFE))


class _Apply(cst.CSTTransformer):
    def __init__(self, changes: Dict[cst.CSTNode, List[Change]]):
        super().__init__()
        self.changes = changes

    def on_leave(self, original_node, updated_node):
        updated = super().on_leave(original_node, updated_node)
        for function in self.changes.get(original_node, ()):
            updated = function(updated)
        return updated


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> cst.Module:
    changes: Dict[cst.CSTNode, List[Change]] = {}
    for fix in fixes:
        for node, functions in fix.changes.items():
            changes.setdefault(node, []).extend(functions)
    return module.visit(_Apply(changes))


def select_round(fixes: Sequence[Fix]) -> List[Fix]:
    """Fixes that can be applied together: an exclusive one alone, else all others.

    Two fixes changing the same node with different functions could fight; the
    second waits for the next round (after a re-lint it may no longer apply).
    """
    exclusive = [fix for fix in fixes if fix.exclusive]
    if exclusive:
        return [exclusive[0]]
    chosen: List[Fix] = []
    taken: set = set()
    for fix in fixes:
        if any(node in taken for node in fix.changes):
            continue
        chosen.append(fix)
        taken.update(fix.changes)
    return chosen


def parses(code: str) -> bool:
    """The fixed code must parse with LibCST and with Python's own parser."""
    try:
        cst.parse_module(code)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except Exception:
        return False
    return True


# ---------------------------------------------------------------- building blocks
def add_await(parent: Optional[cst.CSTNode], node: cst.CSTNode) -> Change:
    """`call` -> `await call`, parenthesised where the result is indexed, read or called."""
    needs_parentheses = (
        (isinstance(parent, cst.Attribute) and parent.value is node)
        or (isinstance(parent, cst.Subscript) and parent.value is node)
        or (isinstance(parent, cst.Call) and parent.func is node)
    )

    def change(updated: cst.CSTNode) -> cst.CSTNode:
        awaited = cst.Await(expression=updated)  # type: ignore[arg-type]
        if needs_parentheses:
            awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return awaited

    return change


def make_async(updated: cst.CSTNode) -> cst.CSTNode:
    """`def`/`for`/`with` -> `async def`/`async for`/`async with` (idempotent)."""
    if getattr(updated, "asynchronous", None) is not None:
        return updated
    return updated.with_changes(asynchronous=cst.Asynchronous())


# ---------------------------------------------------------------- edits
def fix_edits(module: cst.Module, fix: Fix) -> List[dict]:
    """The text edits that applying ``fix`` alone makes to ``module``."""
    return edits_between(module.code, apply_fixes(module, [fix]).code)


def edits_between(old: str, new: str) -> List[dict]:
    """Minimal text edits (1-based line/column, end exclusive) turning ``old`` into ``new``."""
    old_lines = split_lines(old, keepends=True)
    new_lines = split_lines(new, keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = "".join(old_lines[i1:i2])
        after = "".join(new_lines[j1:j2])
        prefix = _common_prefix(before, after)
        suffix = _common_suffix(before[prefix:], after[prefix:])
        start = _position(old_lines, i1, before, prefix)
        end = _position(old_lines, i1, before, len(before) - suffix)
        edits.append({
            "line": start[0], "column": start[1], "end_line": end[0], "end_column": end[1],
            "content": after[prefix:len(after) - suffix],
        })
    return edits


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _position(lines: List[str], first_line: int, block: str, offset: int):
    line = first_line + block.count("\n", 0, offset)
    last_newline = block.rfind("\n", 0, offset)
    column = offset - (last_newline + 1)
    return line + 1, column + 1


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(
        split_lines(old, keepends=True), split_lines(new, keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
    ))


# ---------------------------------------------------------------- writing
class WriteRefused(Exception):
    """The file was left as it was; the message says why."""


def write_atomically(path: str, data: bytes, expected_old: bytes) -> None:
    """Replace the file's content with ``data`` in one rename.

    A temporary file in the same directory gets the data and the original's
    mode, then replaces the original: a crash at any moment leaves either the
    old or the new file, never a truncated one. A symlink is followed (the
    link stays a link). A read-only file, or one changed since it was read,
    is left alone.
    """
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
        with open(target, "rb") as handle:
            current = handle.read()
    except OSError as error:
        raise WriteRefused(f"cannot read it again: {error.strerror or error}") from None
    if current != expected_old:
        raise WriteRefused("it changed while it was being fixed")
    if not os.access(target, os.W_OK) or not (info.st_mode & stat.S_IWUSR):
        raise WriteRefused("it is read-only")
    directory = os.path.dirname(target) or "."
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".asyncdb-lint-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise WriteRefused(f"cannot create a temporary file beside it: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def insert_argument(call: cst.Call, position: int, argument: cst.Arg) -> cst.Call:
    """Insert an argument, following the call's layout (one per line when it is split)."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=[argument])
    if position < len(args):
        before = args[position - 1]
        comma = before.comma if isinstance(before.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        args.insert(position, argument.with_changes(comma=comma))
        return call.with_changes(args=args)
    last = args[-1]
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        # Split over lines: the new argument goes on a line of its own.
        separator = cst.Comma(whitespace_after=call.whitespace_before_args)
        new = argument.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
        args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    else:
        new = argument
        if isinstance(last.comma, cst.Comma):  # `f(a,)`
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(new)
    return call.with_changes(args=args)
