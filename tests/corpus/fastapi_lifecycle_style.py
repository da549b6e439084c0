# Lifecycle patterns of FastAPI apps: lifespan, on_event, per-request handles, dependencies.
from contextlib import asynccontextmanager
from functools import lru_cache

import asyncpg
from databases import Database
from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

DATABASE_URL = "postgresql://localhost/app"
database = Database(DATABASE_URL)
engine = create_async_engine("postgresql+asyncpg://localhost/app", pool_pre_ping=True)
async_session = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI):
    await database.connect()
    app.state.pool = await asyncpg.create_pool(DATABASE_URL)
    yield
    await app.state.pool.close()
    await database.disconnect()


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")  # expect: ADB203, ADB204
async def warm_cache():
    await database.fetch_all("SELECT 1")


@lru_cache
def get_engine():
    return create_async_engine("postgresql+asyncpg://localhost/app")


async def get_session():
    async with async_session() as session:
        yield session


async def get_connection():
    connection = await asyncpg.connect(DATABASE_URL)  # expect: ADB201
    try:
        yield connection
    finally:
        await connection.close()


@app.get("/items")
async def items(session: AsyncSession = Depends(get_session)):
    return (await session.execute("SELECT 1")).all()


@app.get("/raw")
async def raw(connection=Depends(get_connection)):
    return await connection.fetch("SELECT * FROM items")


@app.get("/pool")
async def from_pool(request: Request):
    async with request.app.state.pool.acquire() as connection:
        return await connection.fetch("SELECT * FROM items")


@app.get("/engine")
async def per_request_engine():
    local_engine = create_async_engine("postgresql+asyncpg://localhost/app")  # expect: ADB201
    async with local_engine.connect() as connection:
        return (await connection.execute("SELECT 1")).all()


@app.get("/cached-engine")
async def cached_engine(engine=Depends(get_engine)):
    async with engine.connect() as connection:
        return (await connection.execute("SELECT 1")).all()


@app.post("/reset")
async def reset():
    await database.disconnect()  # expect: ADB202
    await database.connect()  # expect: ADB202
    return {"ok": True}


def create_app() -> FastAPI:
    application = FastAPI()
    application.state.database = Database(DATABASE_URL)
    return application
