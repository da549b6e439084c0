# Scripts and background workers: CLI entry points, arq-style jobs, a sync helper module.
import asyncio
import logging
import sqlite3
import sys

import asyncpg
import psycopg2
import redis

logger = logging.getLogger(__name__)
DSN = "postgresql://localhost/app"
TABLE = "events"
cache = redis.Redis.from_url("redis://localhost")


async def startup(ctx):
    ctx["pool"] = await asyncpg.create_pool(DSN)


async def shutdown(ctx):
    await ctx["pool"].close()


async def process_event(ctx, event_id: int):
    pool = ctx["pool"]
    row = await pool.fetchrow("SELECT * FROM events WHERE id = $1", event_id)
    logger.info(f"processing event {event_id} from {TABLE}")
    cache.set(f"event:{event_id}", row["payload"])  # expect: ADB301
    await pool.execute(f"UPDATE {TABLE} SET done = true WHERE id = $1", event_id)
    return row


async def cleanup(ctx, days: int):
    pool = ctx["pool"]
    await pool.execute("DELETE FROM events WHERE created < now() - $1::interval", f"{days} days")


async def export(ctx, table: str):
    pool = ctx["pool"]
    rows = await pool.fetch(f"SELECT * FROM {table}")  # expect: ADB404
    return len(rows)


class WorkerSettings:
    functions = [process_event, cleanup, export]
    on_startup = startup
    on_shutdown = shutdown


def legacy_report(path: str) -> list:
    connection = sqlite3.connect(path)
    cursor = connection.cursor()
    cursor.execute("SELECT name, count(*) FROM events GROUP BY name")
    return cursor.fetchall()


async def async_report(path: str) -> list:
    return await asyncio.to_thread(legacy_report, path)


async def blocking_report(path: str) -> list:
    return legacy_report(path)  # expect: ADB301


async def audit(user: str):
    connection = psycopg2.connect(DSN)  # expect: ADB301
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit (username) VALUES ('%s')" % user)  # expect: ADB402
    connection.commit()


def sync_audit(user: str):
    connection = psycopg2.connect(DSN)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit (username) VALUES (%s)", (user,))
        cursor.execute("SELECT * FROM audit WHERE username = '{}'".format(user))  # expect: ADB402
    connection.commit()


async def main(argv):
    pool = await asyncpg.create_pool(DSN)
    try:
        async with pool.acquire() as connection:
            count = await connection.fetchval("SELECT count(*) FROM events")
            print(f"SELECT returned {count}")
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
