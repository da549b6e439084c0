"""Bad input never crashes: one ADB001 per unreadable file, and the run goes on."""

from __future__ import annotations

import os

import pytest

from helpers import assert_no_traceback, flake8, lint

GOOD = "import asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('SELECT 1')\n"

# Every file the linter analyses gets one ADB001 when it cannot be parsed; these
# all import a DB library, so the prefilter lets them through. Reading and
# decoding come before the prefilter: those failures are reported for any file.
ANALYSED = "import asyncpg\n"
BROKEN = {
    "syntax.py": ANALYSED + "async def f(:\n    pass\n",
    "latin_without_cookie.py": b"x = '\xe9\xff'\n",
    "unknown_cookie.py": b"# -*- coding: nonexistent -*-\nx = 1\n",
    "nul_bytes.py": ANALYSED.encode() + b"x = 1\x00\n",
    "binary.py": bytes(range(256)) * 8,
    "parentheses.py": ANALYSED + "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
    "deep_parentheses.py": ANALYSED + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",  # crashes LibCST's parser
    "indentation.py": ANALYSED + "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n",
    # valid for Python's parser, too deep for the analysis
    "nested_not.py": ANALYSED + "x = " + "not " * 1500 + "y\n",
    "long_chain.py": ANALYSED + "x = " + " + ".join(["a"] * 30000) + "\n",
    "unterminated.py": ANALYSED + "x = \'\'\'never closed\n",
    "tabs.py": ANALYSED + "if x:\n\tpass\n        pass\n",
}
# Not analysed (nothing database-related in them, no project imports): not parsed at all.
PASSED_OVER = {
    "unrelated_syntax_error.py": "def f(:\n    pass\n",
    "unrelated_deep_parentheses.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
}
STILL_FINE = {
    "empty.py": "",
    "only_comment.py": "# nothing here\n",
    "latin_with_cookie.py": b"# -*- coding: latin-1 -*-\nimport asyncpg\n\n\nasync def f(pool: asyncpg.Pool):\n    pool.execute('\xe9')\n",
    "bom.py": b"\xef\xbb\xbf" + GOOD.encode(),
    "crlf.py": GOOD.replace("\n", "\r\n"),
    # as deep as Python's parser allows calls to nest: analysed like any file
    "nested_calls.py": "import asyncpg\nx = " + "f(" * 199 + ")" * 199 + "\n",
}


def build(tmp_path):
    for name, content in {**BROKEN, **PASSED_OVER, **STILL_FINE, "good.py": GOOD}.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    (tmp_path / "directory.py").mkdir()


def test_cli_reports_adb001_and_goes_on(tmp_path):
    build(tmp_path)
    result = lint(".", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1
    by_file = {}
    for line in result.stdout.splitlines():
        path, _, _, rest = line.split(":", 3)
        by_file.setdefault(path, []).append(rest.split()[0])
    for name in BROKEN:
        assert by_file.get(name) == ["ADB001"], (name, result.stdout)
    for name in ("latin_with_cookie.py", "bom.py", "crlf.py", "good.py"):
        assert by_file.get(name) == ["ADB101"], (name, result.stdout)
    for name in ("empty.py", "only_comment.py", "nested_calls.py", *PASSED_OVER):
        assert name not in by_file, (name, result.stdout)


def test_explicitly_named_directory_file_and_unreadable_file(tmp_path):
    build(tmp_path)
    result = lint("directory.py", cwd=tmp_path)  # a directory: walked like any other
    assert_no_traceback(result)
    assert result.returncode == 0 and result.stdout == ""
    unreadable = tmp_path / "unreadable.py"
    unreadable.write_text(GOOD)
    unreadable.chmod(0)
    try:
        if os.access(unreadable, os.R_OK):
            pytest.skip("running as a user who can read any file (root): cannot test unreadable files")
        result = lint("unreadable.py", "good.py", cwd=tmp_path)
        assert_no_traceback(result)
        assert "unreadable.py:1:1: ADB001" in result.stdout
        assert "good.py:5:5: ADB101" in result.stdout
    finally:
        unreadable.chmod(0o644)


def test_flake8_plugin_never_prints_a_traceback(tmp_path):
    build(tmp_path)
    # flake8 itself (not our plugin) crashes with RecursionError in its own
    # ast.parse on this file, before any plugin runs.
    (tmp_path / "long_chain.py").unlink()
    # Other installed plugins (flake8-async, say) may crash on these files on
    # their own; what matters is that no traceback comes from ours.
    for path in sorted(tmp_path.iterdir()):
        if path.suffix == ".py" and path.is_file():
            result = flake8("--select", "ADB", path.name, cwd=tmp_path)
            assert "asyncdb_lint" not in result.stderr, (path.name, result.stderr)
    result = flake8("--select", "ADB", "good.py", cwd=tmp_path)
    assert_no_traceback(result)
    assert "good.py:5:5: ADB101" in result.stdout
