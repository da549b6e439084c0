# In the style of the psycopg 3 documentation (async connections, cursors, COPY,
# psycopg_pool) and its FastAPI recipe.
import asyncio
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

CONNINFO = "dbname=test user=postgres"
pool = AsyncConnectionPool(CONNINFO, open=False, kwargs={"row_factory": dict_row})


@asynccontextmanager
async def lifespan(app: FastAPI):
    await pool.open()
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


async def basic_usage():
    async with await psycopg.AsyncConnection.connect(CONNINFO) as aconn:
        async with aconn.cursor() as acur:
            await acur.execute("INSERT INTO test (num, data) VALUES (%s, %s)", (100, "abc'def"))  # ok: ADB402
            await acur.execute("SELECT * FROM test")
            await acur.fetchone()
            async for record in acur:  # ok: ADB103
                print(record)


async def transfer(aconn: psycopg.AsyncConnection, amount: int):
    async with aconn.transaction():  # ok: ADB104
        await aconn.execute("UPDATE accounts SET balance = balance - %s WHERE id = 1", (amount,))
        async with aconn.transaction():
            await aconn.execute("UPDATE accounts SET balance = balance + %s WHERE id = 2", (amount,))


async def copy_in(aconn: psycopg.AsyncConnection, records):
    cur = aconn.cursor()  # ok: ADB102
    async with cur.copy("COPY sample (col1, col2) FROM STDIN") as copy:
        for record in records:
            await copy.write_row(record)


async def stream_big_table(aconn: psycopg.AsyncConnection):
    async with aconn.cursor(name="big") as cur:
        await cur.execute("SELECT * FROM big_table")
        while rows := await cur.fetchmany(1000):
            print(len(rows))
    async for row in aconn.cursor().stream("SELECT generate_series(1, 10000)"):  # ok: ADB103
        print(row)


async def listen(aconn: psycopg.AsyncConnection):
    await aconn.set_autocommit(True)
    await aconn.execute("LISTEN mychan")
    for notify in aconn.notifies(stop_after=10):  # expect: ADB103
        print(notify.payload)


async def count_rows(aconn: psycopg.AsyncConnection, table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE owner = %s").format(sql.Identifier(table))
    cur = await aconn.execute(query, ("alice",))  # ok: ADB404
    (count,) = await cur.fetchone()
    return count


@app.get("/users/{user_id}")
async def get_user(user_id: int):
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM users WHERE id = %s", (user_id,))
        return await cur.fetchone()


@app.get("/search")
async def search(name: str):
    async with pool.connection() as conn:
        async with conn.cursor() as cur:
            await cur.execute(f"SELECT * FROM users WHERE name = '{name}'")  # expect: ADB401
            return await cur.fetchall()


@app.post("/users")
async def create_user(name: str, email: str):
    async with pool.connection() as conn:
        with conn.transaction():  # expect: ADB104
            await conn.execute("INSERT INTO users (name, email) VALUES (%s, %s)", (name, email))


@app.delete("/users/{user_id}")
async def delete_user(user_id: int):
    async with pool.connection() as conn:
        async with conn.cursor() as cur:
            cur.execute("DELETE FROM users WHERE id = %s", (user_id,))  # expect: ADB101
        return {"deleted": user_id}


@app.get("/reports")
async def reports():
    async with AsyncConnectionPool(CONNINFO) as report_pool:  # expect: ADB201
        async with report_pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM reports")
            rows = cur.fetchall()  # expect: ADB102
            return [dict(row) for row in rows]


def export_csv(path: str):
    # The sync twin in a plain script: nothing to await here.
    with psycopg.connect(CONNINFO) as conn:  # ok: ADB104
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM users")  # ok: ADB101
            with open(path, "w") as f:
                for row in cur.fetchall():  # ok: ADB103
                    f.write(",".join(map(str, row)) + "\n")


async def main():
    await pool.open(wait=True)
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")
    await pool.close()


asyncio.run(main())
