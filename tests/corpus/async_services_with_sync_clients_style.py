# Services that mix async code with sync clients: an aiopg-style connection
# (psycopg2 in async mode), lazily-connecting clients built inside handlers, and
# sync work handed to threads in the ways real projects do it.
import asyncio
import functools
import select
from typing import Any, Optional

import anyio.to_thread
import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.pool
import redis
from asgiref.sync import sync_to_async
from fastapi import Depends, FastAPI
from pymongo import MongoClient
from sqlalchemy import create_engine, select as sa_select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

DSN = "dbname=app user=app"
engine = create_engine("postgresql+psycopg2://app@localhost/app", pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)
pool = psycopg2.pool.ThreadedConnectionPool(1, 10, DSN)
app = FastAPI()


class PgConnection:
    """A connection driven by the event loop, the way aiopg drives psycopg2."""

    def __init__(self, dsn: str, timeout: float = 60.0, **kwargs: Any) -> None:
        kwargs["async_"] = kwargs.pop("async", True)
        self._conn = psycopg2.connect(dsn, **kwargs)
        self._loop = asyncio.get_running_loop()
        self._timeout = timeout
        self._waiter: Optional[asyncio.Future] = None

    def _ready(self) -> None:
        state = self._conn.poll()
        if state == psycopg2.extensions.POLL_OK and self._waiter is not None:
            self._waiter.set_result(None)

    async def _poll(self) -> None:
        self._waiter = self._loop.create_future()
        self._loop.add_reader(self._conn.fileno(), self._ready)
        try:
            await asyncio.wait_for(self._waiter, self._timeout)
        finally:
            self._loop.remove_reader(self._conn.fileno())

    async def connect(self) -> "PgConnection":
        await self._poll()
        psycopg2.extras.register_default_json(self._conn)
        psycopg2.extras.register_uuid(conn_or_curs=self._conn)
        return self

    async def execute(self, sql: str, params: tuple = ()) -> Any:
        cursor = self._conn.cursor()
        cursor.execute(sql, params)
        await self._poll()
        return cursor

    async def backend_pid(self) -> int:
        return self._conn.get_backend_pid()

    async def server_version(self) -> Optional[str]:
        return self._conn.get_parameter_status("server_version")

    def _close(self) -> None:
        self._conn.close()

    async def close(self) -> None:
        self._close()


def get_cache() -> redis.Redis:
    return redis.Redis.from_url("redis://localhost:6379/0", decode_responses=True)


def get_db():
    with SessionLocal() as session:
        yield session


@app.get("/profile/{user_id}")
async def profile(user_id: int, cache: redis.Redis = Depends(get_cache)):
    cached = cache.get(f"profile:{user_id}")  # expect: ADB301
    return cached


@app.get("/events/{user_id}")
async def events(user_id: int):
    client = MongoClient("mongodb://localhost:27017", serverSelectionTimeoutMS=2000)
    collection = client.get_database("analytics").get_collection("events")
    return await run_in_threadpool(lambda: list(collection.find({"user": user_id})))


@app.get("/events-inline/{user_id}")
async def events_inline(user_id: int):
    client = MongoClient("mongodb://localhost:27017")
    return list(client.analytics.events.find({"user": user_id}))  # expect: ADB301


@app.get("/orders")
async def orders():
    session = SessionLocal()
    try:
        statement = sa_select(text("id")).select_from(text("orders"))
        return await asyncio.to_thread(lambda: session.execute(statement).all())
    finally:
        await asyncio.to_thread(session.close)


@app.get("/orders-inline")
async def orders_inline():
    with Session(engine) as session:
        return session.execute(text("SELECT id FROM orders")).all()  # expect: ADB302


@app.get("/counters")
async def counters():
    client = redis.Redis(host="localhost")
    pipe = client.pipeline()
    pipe.incr("hits")
    pipe.expire("hits", 60)
    return pipe.execute()  # expect: ADB301


@app.get("/legacy-report")
async def legacy_report():
    conn = pool.getconn()  # expect: ADB301
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM orders")
            return cursor.fetchone()
    finally:
        pool.putconn(conn)


@app.get("/legacy-report-offloaded")
async def legacy_report_offloaded():
    loop = asyncio.get_running_loop()
    conn = await loop.run_in_executor(None, pool.getconn)
    try:
        cursor = conn.cursor()
        await loop.run_in_executor(None, functools.partial(cursor.execute, "SELECT count(*) FROM orders"))
        return await loop.run_in_executor(None, cursor.fetchone)
    finally:
        await loop.run_in_executor(None, pool.putconn, conn)


@sync_to_async
def archive_order(order_id: int) -> None:
    with SessionLocal.begin() as session:
        session.execute(text("UPDATE orders SET archived = true WHERE id = :id"), {"id": order_id})


@app.post("/orders/{order_id}/archive")
async def archive(order_id: int):
    await archive_order(order_id)
    return {"archived": order_id}


def refresh_materialized_views() -> None:
    with engine.begin() as connection:
        connection.execute(text("REFRESH MATERIALIZED VIEW order_totals"))


@app.post("/admin/refresh")
async def refresh():
    await anyio.to_thread.run_sync(refresh_materialized_views)
    return {"ok": True}


@app.post("/admin/refresh-now")
async def refresh_now():
    refresh_materialized_views()  # expect: ADB302
    return {"ok": True}


@app.post("/admin/refresh-late")
async def refresh_late():
    await asyncio.to_thread(refresh_materialized_views())  # expect: ADB302
    return {"ok": True}


async def count_orders(session: Session) -> int:
    # annotated with the sync class, but the code awaits it: an AsyncSession in truth
    result = await session.execute(text("SELECT count(*) FROM orders"))
    return result.scalar_one()


def wait_for_socket(conn) -> None:
    while conn.poll() != psycopg2.extensions.POLL_OK:
        select.select([conn.fileno()], [], [])
