"""The SQL rules' advice follows the receiver's own driver, and ADB404 never advises placeholders."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asyncdb_lint.checker import check_text
from asyncdb_lint.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "rules"

VALUE_ADVICE = [
    (
        "from databases import Database\ndb = Database('sqlite://')\n"
        "async def f(x):\n    await db.fetch_all(f\"SELECT * FROM t WHERE a = '{x}'\")\n",
        "`values={...}`",
    ),
    (
        "import sqlalchemy\n"
        "def f(conn: sqlalchemy.Connection, x):\n    conn.execute(f\"SELECT * FROM t WHERE a = '{x}'\")\n",
        "`text()` with `:name` placeholders and pass the values as a dict, `execute()`'s second argument",
    ),
    (
        "from sqlalchemy import text\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
        "async def f(s: AsyncSession, x):\n    await s.execute(text(f\"SELECT * FROM t WHERE a = {x}\"))\n",
        "`:name` placeholders in `text()`",
    ),
    (
        "import asyncpg\nasync def f(pool: asyncpg.Pool, x):\n    await pool.fetch(f\"SELECT * FROM t WHERE a = {x}\")\n",
        "`$1, $2, ...`",
    ),
    (
        "import aiosqlite\nasync def f(db: aiosqlite.Connection, x):\n    await db.execute(f\"DELETE FROM t WHERE a = {x}\")\n",
        "`?` placeholders",
    ),
    (
        "import psycopg\ndef f(conn: psycopg.Connection, x):\n    conn.execute(f\"DELETE FROM t WHERE a = {x}\")\n",
        "`%s` placeholders",
    ),
]


@pytest.mark.parametrize("source, advice", VALUE_ADVICE)
def test_value_advice_names_the_receivers_placeholders(source, advice):
    result = check_text(textwrap.dedent(source), settings=Settings(select=("ADB4",)))
    messages = [d.message for d in result.diagnostics]
    assert len(messages) == 1 and advice in messages[0], messages
    if "`values={...}`" not in advice:
        assert "values={" not in messages[0]


def test_adb404_never_advises_placeholders():
    for path in sorted(FIXTURES.glob("ADB4*.py")):
        result = check_text(path.read_text(encoding="utf-8"), settings=Settings(select=("ADB404",)))
        assert result.diagnostics, path.name
        for diagnostic in result.diagnostics:
            assert "placeholder" not in diagnostic.message, diagnostic.message
