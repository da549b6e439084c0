# In the style of the aiomysql, asyncmy and aiopg READMEs and docs: pools,
# cursors as async context managers, the DB-API `%s` paramstyle.
import asyncio
from contextlib import asynccontextmanager

import aiomysql
import aiopg
import asyncmy
import pymysql
from asyncmy.cursors import DictCursor
from fastapi import FastAPI, Request

DSN = "dbname=aiopg user=aiopg password=passwd host=127.0.0.1"
MYSQL = dict(host="127.0.0.1", port=3306, user="root", password="", db="mysql")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await aiomysql.create_pool(minsize=1, maxsize=10, autocommit=False, **MYSQL)
    yield
    app.state.pool.close()  # ok: ADB101
    await app.state.pool.wait_closed()


app = FastAPI(lifespan=lifespan)


async def aiomysql_example():
    conn = await aiomysql.connect(**MYSQL)
    cur = await conn.cursor()
    await cur.execute("SELECT Host, User FROM user")
    print(cur.description)
    r = await cur.fetchall()
    print(r)
    await cur.close()
    conn.close()  # ok: ADB101


@app.get("/users/{user_id}")
async def get_user(request: Request, user_id: int):
    async with request.app.state.pool.acquire() as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute("SELECT id, name FROM users WHERE id = %s", (user_id,))  # ok: ADB402
            return await cur.fetchone()


@app.get("/users")
async def find_users(request: Request, name: str):
    async with request.app.state.pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("SELECT id, name FROM users WHERE name = '%s'" % name)  # expect: ADB402
            return await cur.fetchall()


@app.post("/users")
async def create_user(request: Request, name: str):
    async with request.app.state.pool.acquire() as conn:
        conn.autocommit(True)  # expect: ADB101
        async with conn.cursor() as cur:
            cur.execute("INSERT INTO users (name) VALUES (%s)", (name,))  # expect: ADB101
            return {"id": cur.lastrowid, "quoted": conn.escape(name)}  # ok: ADB102


@app.get("/stats")
async def stats():
    pool = await aiomysql.create_pool(**MYSQL)  # expect: ADB201
    async with pool.acquire() as conn:
        with conn.cursor() as cur:  # expect: ADB104
            await cur.execute("SELECT count(*) FROM users")
            (count,) = await cur.fetchone()
    pool.close()
    await pool.wait_closed()
    return {"users": count}


async def asyncmy_example():
    conn = await asyncmy.connect(host="127.0.0.1", user="root", password="")
    async with conn.cursor(cursor=DictCursor) as cursor:
        await cursor.execute("CREATE DATABASE IF NOT EXISTS test")
        await cursor.execute("SELECT * FROM test.asyncmy")
        rows = cursor.fetchall()  # expect: ADB102
        print(len(rows))
        cursor.scroll(0, mode="absolute")  # ok: ADB101
    await conn.ensure_closed()


async def asyncmy_pool():
    pool = await asyncmy.create_pool(host="127.0.0.1", user="root", password="")
    async with pool.acquire() as conn:
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT 1")
            ret = await cursor.fetchone()
            assert ret == (1,)
    pool.close()  # ok: ADB101
    await pool.wait_closed()


async def aiopg_example():
    async with aiopg.create_pool(DSN) as pool:
        async with pool.acquire() as conn:
            async with conn.cursor() as cur:
                await cur.execute("SELECT 1")
                ret = []
                async for row in cur:  # ok: ADB103
                    ret.append(row)
                assert ret == [(1,)]


async def aiopg_transaction(pool: aiopg.Pool, amount: int):
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            async with cur.begin():
                await cur.execute("UPDATE accounts SET balance = balance - %s WHERE id = 1", (amount,))
                await cur.execute("UPDATE accounts SET balance = balance + %s WHERE id = 2", (amount,))
            await cur.execute("SELECT id, balance FROM accounts")
            for row in cur:  # expect: ADB103
                print(row)
            print(cur.mogrify("SELECT %s", (amount,)))  # ok: ADB102
            cur.close()  # ok: ADB101


def pymysql_report():
    # The sync twin, in a cron script.
    conn = pymysql.connect(**MYSQL)
    with conn.cursor() as cur:  # ok: ADB104
        cur.execute("SELECT count(*) FROM users")  # ok: ADB101
        print(cur.fetchone())
    conn.autocommit(True)  # ok: ADB101
    conn.close()


asyncio.run(aiomysql_example())
