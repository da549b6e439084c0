# A small data-access package in the style of ORM backends and repository layers:
# savepoints, bulk inserts with generated placeholders, sortable listings, pragmas,
# table maintenance, and a migration script's module-level code.
import logging
import sqlite3
import sys
import uuid
from typing import Any, Dict, Iterable, List, Optional, Sequence

import aiosqlite
import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": "on", "synchronous": "normal"}
SORTABLE = {"newest": "created_at DESC", "oldest": "created_at ASC", "name": "name"}
AUDITED_TABLES = ("users", "orders", "payments")
BATCH = 500
ISOLATION_LEVELS = frozenset({"READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"})


class SqliteBackend:
    def __init__(self, path: str):
        self.path = path
        self._conn: Optional[aiosqlite.Connection] = None

    async def connect(self) -> None:
        self._conn = await aiosqlite.connect(self.path)
        for pragma, value in SQLITE_PRAGMAS.items():
            await self._conn.execute(f"PRAGMA {pragma} = {value}")  # ok: ADB404

    async def savepoint(self) -> str:
        name = f"sp_{uuid.uuid4().hex}"
        await self._conn.execute(f"SAVEPOINT {name}")  # ok: ADB404
        return name

    async def release(self, name: str) -> None:
        await self._conn.execute(f"RELEASE SAVEPOINT {name}")  # expect: ADB404

    async def insert_many(self, table: str, columns: Sequence[str], rows: List[tuple]) -> None:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(columns)  # expect: ADB404
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # expect: ADB404
        await self._conn.executemany(sql, rows)

    async def count(self, table: str) -> int:
        if table not in AUDITED_TABLES:
            raise ValueError(f"unknown table {table}")
        cursor = await self._conn.execute(f"SELECT count(*) FROM {table}")  # ok: ADB404
        row = await cursor.fetchone()
        return row[0]

    async def find_by_email(self, email: str):
        cursor = await self._conn.execute(f"SELECT * FROM users WHERE email = '{email}'")  # expect: ADB401
        return await cursor.fetchone()


class PostgresRepository:
    def __init__(self, pool: asyncpg.Pool, table: str = "items"):
        self.pool = pool
        self.table = table

    async def listing(self, sort: str = "newest", page: int = 0):
        order = SORTABLE.get(sort, "created_at DESC")
        offset = page * BATCH
        return await self.pool.fetch(
            f"SELECT * FROM items ORDER BY {order} LIMIT {BATCH} OFFSET {offset}"  # expect: ADB401
        )

    async def by_ids(self, ids: List[int]):
        placeholders = ", ".join(f"${i}" for i in range(1, len(ids) + 1))
        return await self.pool.fetch(f"SELECT * FROM items WHERE id IN ({placeholders})", *ids)  # ok: ADB401

    async def by_any(self, ids: List[int]):
        return await self.pool.fetch("SELECT * FROM items WHERE id = ANY($1::int[])", ids)

    async def search(self, where: str, params: Iterable[Any]):
        return await self.pool.fetch(f"SELECT * FROM {self.table} WHERE {where}", *params)  # expect: ADB404

    async def rename(self, item_id: int, name: str):
        await self.pool.execute(f"UPDATE items SET name = '{name}' WHERE id = $1", item_id)  # expect: ADB401

    async def set_isolation(self, level: str):
        if level not in ISOLATION_LEVELS:
            raise ValueError(level)
        await self.pool.execute(f"SET default_transaction_isolation = '{level}'")  # ok: ADB404

    async def set_timeout(self, seconds: float):
        await self.pool.execute(f"SET statement_timeout = {int(seconds * 1000)}")  # ok: ADB404  # a number cannot carry SQL

    async def truncate_all(self):
        for table in AUDITED_TABLES:
            await self.pool.execute(f"TRUNCATE {table} CASCADE")  # ok: ADB404
            log.info(f"TRUNCATE {table} done")  # ok: ADB404

    async def explain(self, query: str, *args):
        return await self.pool.fetch(f"EXPLAIN (FORMAT JSON) {query}", *args)  # expect: ADB404

    async def notify(self, channel: str, payload: str):
        await self.pool.execute("SELECT pg_notify($1, $2)", channel, payload)


async def report(session: AsyncSession, column: str, since: str):
    result = await session.execute(
        text(f"SELECT {column}, count(*) FROM events WHERE created > '{since}' GROUP BY {column}")  # expect: ADB401, ADB404
    )
    return result.all()


async def table_exists(conn: AsyncConnection, name: str) -> bool:
    quoted = conn.dialect.identifier_preparer.quote(name)
    result = await conn.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1"))  # ok: ADB404
    return result.first() is not None


async def cleanup(conn: AsyncConnection, days: int):
    await conn.execute(text("DELETE FROM events WHERE created < now() - make_interval(days => :d)"), {"d": days})
    log.debug(f"DELETE FROM events older than {days} days")  # ok: ADB401


def describe(connection: sqlite3.Connection, table: str) -> Dict[str, str]:
    rows = connection.execute(f"PRAGMA table_info({table})").fetchall()  # expect: ADB404
    return {row[1]: row[2] for row in rows}


# --- migration script: runs at import time ------------------------------------
if __name__ == "__main__":
    db = sqlite3.connect(sys.argv[1])
    tenant = sys.argv[2]
    db.execute(f"CREATE TABLE IF NOT EXISTS {tenant}_events (id INTEGER PRIMARY KEY)")  # expect: ADB404
    backfill = f"UPDATE events SET tenant = '{tenant}' WHERE tenant IS NULL"  # expect: ADB401
    db.execute(backfill)
    for table in AUDITED_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN audited INTEGER DEFAULT 0")  # ok: ADB404
    db.commit()
