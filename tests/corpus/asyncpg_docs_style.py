# In the style of the asyncpg documentation (usage, pools, transactions, cursors, COPY).
import asyncio
import datetime
import json

import asyncpg


async def main():
    conn = await asyncpg.connect("postgresql://postgres@localhost/test")
    await conn.execute(
        """
        CREATE TABLE users(
            id serial PRIMARY KEY,
            name text,
            dob date
        )
    """
    )
    await conn.execute(
        """
        INSERT INTO users(name, dob) VALUES($1, $2)
    """,
        "Bob",
        datetime.date(1984, 3, 1),
    )
    row = await conn.fetchrow("SELECT * FROM users WHERE name = $1", "Bob")
    print(row["dob"])
    await conn.close()


async def type_codecs():
    conn = await asyncpg.connect()
    try:
        await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        data = {"foo": "bar", "spam": 1}
        res = await conn.fetchval("SELECT $1::json", data)
    finally:
        await conn.close()
    return res


async def transactions(conn: asyncpg.Connection):
    async with conn.transaction():
        await conn.execute("INSERT INTO mytab (a) VALUES (100)")
        await conn.execute("INSERT INTO mytab (a) VALUES (200)")
    tr = conn.transaction()
    await tr.start()
    try:
        await conn.execute("INSERT INTO mytab (a) VALUES (300)")
    except BaseException:
        await tr.rollback()
        raise
    else:
        await tr.commit()


async def cursors(con: asyncpg.Connection):
    async with con.transaction():
        async for record in con.cursor("SELECT generate_series(0, 100)"):
            print(record)
        cur = await con.cursor("SELECT generate_series(0, 100)")
        print(await cur.fetchrow())
        print(await cur.fetch(5))
        stmt = await con.prepare("SELECT generate_series(0, $1)")
        async for record in stmt.cursor(10):
            print(record)


async def copy_records(conn: asyncpg.Connection):
    result = await conn.copy_records_to_table("mytable", records=[(1, "foo", "bar"), (2, "ham", "spam")])
    print(result)
    await conn.copy_from_query("SELECT foo, bar FROM mytable WHERE foo > $1", 10, output="file.csv", format="csv")


async def handle(request, pool: asyncpg.Pool):
    async with pool.acquire() as connection:
        async with connection.transaction():
            result = await connection.fetchval("select 2 ^ $1", 10)
            return result


async def init_app():
    pool = await asyncpg.create_pool(database="postgres", user="postgres", command_timeout=60)
    async with pool.acquire() as con:
        await con.execute("SELECT 1")
    await pool.execute("SELECT 1")
    return pool


class Store:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def get_user(self, user_id: int):
        row = self.pool.fetchrow("SELECT * FROM users WHERE id = $1", user_id)  # expect: ADB102
        return dict(row)

    async def add_user(self, name: str):
        await self.pool.execute("INSERT INTO users (name) VALUES ($1)", name)

    async def rename(self, user_id: int, name: str):
        self.pool.execute("UPDATE users SET name = $2 WHERE id = $1", user_id, name)  # expect: ADB101

    async def names(self):
        async with self.pool.acquire() as conn:
            records = conn.fetch("SELECT name FROM users")  # expect: ADB102
            return [r["name"] for r in records]

    async def bulk(self, rows):
        async with self.pool.acquire() as conn:
            with conn.transaction():  # expect: ADB104
                await conn.executemany("INSERT INTO users (name) VALUES ($1)", rows)

    async def close(self):
        self.pool.close()  # expect: ADB101

    def close_sync(self):
        self.pool.terminate()


async def listen(conn: asyncpg.Connection):
    def callback(connection, pid, channel, payload):
        print(payload)

    await conn.add_listener("events", callback)
    conn.remove_listener("events", callback)  # expect: ADB101


async def forgot_connect():
    conn = asyncpg.connect("postgresql://localhost/test")  # expect: ADB102
    await conn.execute("SELECT 1")


async def gather_counts(pool: asyncpg.Pool, tables):
    coros = [pool.fetchval(f"SELECT count(*) FROM {t}") for t in tables]  # expect: ADB404
    return dict(zip(tables, await asyncio.gather(*coros)))


async def with_timeout(pool: asyncpg.Pool):
    return await asyncio.wait_for(pool.fetch("SELECT pg_sleep(1)"), timeout=0.5)


asyncio.run(main())
