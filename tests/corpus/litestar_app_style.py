# In the style of Litestar's documentation: a lifespan that owns the pool, `Provide`
# dependencies, a `Controller`, and module-level route handlers.
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Controller, Litestar, Request, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

DSN = "postgresql://app:secret@localhost/todo"
engine = create_async_engine("postgresql+asyncpg://app:secret@localhost/todo", echo=False)
session_maker = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def db_connection(app: Litestar) -> AsyncGenerator[None, None]:
    pool = getattr(app.state, "pool", None)
    if pool is None:
        pool = await asyncpg.create_pool(DSN, min_size=2, max_size=10)
        app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


async def provide_transaction(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    async with state.pool.acquire() as connection:
        async with connection.transaction():
            yield connection


async def provide_session() -> AsyncGenerator[AsyncSession, None]:
    async with session_maker() as session:
        yield session


async def provide_reporting_connection() -> AsyncGenerator[asyncpg.Connection, None]:
    connection = await asyncpg.connect(DSN)  # expect: ADB201
    try:
        yield connection
    finally:
        await connection.close()


class TodoController(Controller):
    path = "/todos"
    dependencies = {"connection": Provide(provide_transaction)}

    @get()
    async def list_todos(self, connection: asyncpg.Connection, done: bool = False) -> list[dict]:
        rows = await connection.fetch("SELECT id, title, done FROM todo WHERE done = $1", done)
        return [dict(row) for row in rows]

    @get("/{todo_id:int}")
    async def get_todo(self, connection: asyncpg.Connection, todo_id: int) -> dict:
        row = await connection.fetchrow("SELECT id, title, done FROM todo WHERE id = $1", todo_id)
        if row is None:
            raise NotFoundException(f"todo {todo_id} not found")
        return dict(row)

    @post()
    async def add_todo(self, connection: asyncpg.Connection, data: dict) -> dict:
        await connection.execute("INSERT INTO todo (title, done) VALUES ($1, $2)", data["title"], False)
        return data

    @get("/search")
    async def search(self, connection: asyncpg.Connection, q: str) -> list[dict]:
        rows = await connection.fetch(f"SELECT id, title FROM todo WHERE title ILIKE '%{q}%'")  # expect: ADB401
        return [dict(row) for row in rows]

    @post("/{todo_id:int}/done")
    async def complete(self, connection: asyncpg.Connection, todo_id: int) -> None:
        connection.execute("UPDATE todo SET done = true WHERE id = $1", todo_id)  # expect: ADB101


@get("/stats", dependencies={"connection": Provide(provide_reporting_connection)})
async def stats(connection: asyncpg.Connection) -> dict:
    return {"open": await connection.fetchval("SELECT count(*) FROM todo WHERE NOT done")}


@get("/health")
async def health(request: Request) -> dict:
    async with request.app.state.pool.acquire() as connection:
        return {"db": await connection.fetchval("SELECT 1") == 1}


@get("/export")
async def export() -> list[dict]:
    export_engine = create_async_engine("postgresql+asyncpg://app:secret@localhost/todo")  # expect: ADB201
    async with export_engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT id, title FROM todo")
        return [dict(row._mapping) for row in result]


@get("/sessions", dependencies={"session": Provide(provide_session)})
async def via_session(session: AsyncSession) -> int:
    result = await session.execute(text("SELECT count(*) FROM todo"))
    return result.scalar_one()


app = Litestar(
    route_handlers=[TodoController, stats, health, export, via_session],
    lifespan=[db_connection],
)
