# Library-style code that leaves its receivers untyped: a connection wrapper, a
# repository over an injected session, a migration helper, test helpers - with the
# sync look-alikes such code sits next to.
import asyncio
import contextlib
from unittest import mock

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession


class Connection:
    """A thin wrapper over an asyncpg connection, as drivers of ORMs write them."""

    def __init__(self, raw):
        self._raw = raw
        self._lock = asyncio.Lock()

    async def execute(self, query, *args):
        async with self._lock:
            return await self._raw.execute(query, *args)

    async def fetch(self, query, *args):
        return await self._raw.fetch(query, *args)

    async def fetch_first(self, query, *args):
        return await self._raw.fetchrow(query, *args)

    async def reset(self):
        self._raw.execute("RESET ALL")  # expect: ADB101

    async def close(self):
        await self._raw.close()

    async def count(self, table_query):
        row = self._raw.fetchrow(table_query)  # expect: ADB102
        return row[0]


class Pool:
    def __init__(self, dsn):
        self._dsn = dsn
        self._pool = None

    async def open(self):
        self._pool = await asyncpg.create_pool(self._dsn)

    async def run(self, query):
        async with self._pool.acquire() as conn:
            await conn.execute("SET statement_timeout = 5000")
            return await conn.fetch(query)

    async def warm(self):
        async with self._pool.acquire() as conn:
            conn.fetchval("SELECT 1")  # expect: ADB101
            await conn.execute("SELECT 1")

    async def version(self):
        return self._pool.fetchval("SHOW server_version")  # expect: ADB102


class Repository:
    model = None

    def __init__(self, session):
        self.session = session

    async def get(self, pk):
        return await self.session.get(self.model, pk)

    async def add(self, item):
        self.session.add(item)
        await self.session.flush()
        return item

    async def save(self, item):
        self.session.add(item)
        self.session.flush()  # expect: ADB101
        await self.session.refresh(item)

    async def remove(self, item):
        await self.session.delete(item)
        self.session.commit()  # expect: ADB101


async def copy_rows(conn, rows):
    conn.copy_records_to_table("events", records=rows)  # expect: ADB101


async def total(conn):
    value = conn.fetchval("SELECT count(*) FROM events")  # expect: ADB102
    return value + 1


async def in_transaction(session: AsyncSession, statements):
    async with session.begin():
        for statement in statements:
            await session.execute(statement)


async def run_sync_helper(connection, fn):
    connection.run_sync(fn)  # expect: ADB101


# --- look-alikes ------------------------------------------------------------------


class CachedRow:
    """An in-house row cache with DB-like method names: sync."""

    def __init__(self):
        self._rows = {}

    def fetchrow(self, key):
        return self._rows.get(key)

    def execute(self, key, value):
        self._rows[key] = value


async def from_cache(cache: CachedRow, key):
    cache.execute(key, 1)  # ok: ADB101
    return cache.fetchrow(key)  # ok: ADB102


async def remote(client: httpx.AsyncClient, url):
    client.build_request("GET", url)  # ok: ADB101
    return await client.get(url)


async def with_mock():
    conn = mock.AsyncMock()
    conn.fetchrow("SELECT 1")  # ok: ADB101
    fake = mock.MagicMock()
    fake.execute("SELECT 1")  # ok: ADB101


def sync_migration(conn):
    conn.execute("CREATE TABLE t (id int)")  # ok: ADB105  # a sync connection in a sync migration


async def async_migration(conn):
    await conn.execute("CREATE TABLE t (id int)")


async def both_kinds(engine, is_async):
    if is_async:
        async with engine.connect() as conn:
            await conn.execute("SELECT 1")
    else:
        with engine.connect() as conn:  # ok: ADB104
            conn.execute("SELECT 1")  # ok: ADB101


async def gathered(conn, queries):
    jobs = [conn.fetchval(query) for query in queries]  # ok: ADB102
    return await asyncio.gather(*jobs)


async def scheduled(conn):
    task = asyncio.ensure_future(conn.fetchval("SELECT 1"))  # ok: ADB101
    return await task


async def expected_failure(conn):
    with contextlib.suppress(Exception):
        await conn.execute("SELECT 1")


async def passed_on(conn, sink):
    pending = conn.fetchval("SELECT 1")  # ok: ADB102
    sink.submit(pending)
