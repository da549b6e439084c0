"""The notes app: FastAPI + encode/databases + SQLAlchemy asyncio + asyncpg + aiosqlite.

Every `# expect:` line below is a real bug; every `# ok:` line is correct code
that looks like one.
"""
import sqlite3
from typing import List

import aiosqlite
import asyncpg
import databases
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from .database import DATABASE_URL, SessionLocal, database, get_session, notes

app = FastAPI()


class NoteIn(BaseModel):
    text: str
    completed: bool


@app.on_event("startup")  # expect: ADB203
async def startup():
    await database.connect()  # ok: ADB101
    app.state.pool = await asyncpg.create_pool("postgresql://localhost/notes")


@app.on_event("shutdown")  # expect: ADB203
async def shutdown():
    database.disconnect()  # expect: ADB101
    await app.state.pool.close()  # ok: ADB101


@app.get("/notes/")
async def read_notes():
    query = notes.select()
    rows = database.fetch_all(query)  # expect: ADB102
    return [dict(row) for row in rows]


@app.get("/notes/export")
async def export_notes():
    return [dict(row) for row in database.iterate(notes.select())]  # expect: ADB103


@app.post("/notes/")
async def create_note(note: NoteIn):
    query = notes.insert().values(text=note.text, completed=note.completed)
    last_record_id = database.execute(query)  # expect: ADB101
    return {**note.dict(), "id": 0}


@app.post("/notes/bulk")
async def create_notes(items: List[NoteIn]):
    with database.transaction():  # expect: ADB104
        for item in items:
            await database.execute(notes.insert().values(text=item.text))  # ok: ADB101
    return {"created": len(items)}


@app.get("/notes/search")
async def search_notes(q: str):
    query = f"SELECT * FROM notes WHERE text LIKE '%{q}%'"  # expect: ADB401
    return await database.fetch_all(query)


@app.get("/notes/{note_id}")
async def read_note(note_id: int):
    row = await database.fetch_one("SELECT * FROM notes WHERE id = :id", values={"id": note_id})  # ok: ADB102
    return {"text": row["text"]}


@app.get("/notes/{note_id}/title")
async def read_note_title(note_id: int):
    rows = await database.fetch_all(notes.select().where(notes.c.id == note_id))
    return rows["text"]  # expect: ADB502


@app.get("/per-request")
async def per_request_database():
    db = databases.Database(DATABASE_URL)  # expect: ADB201
    await db.connect()  # ok: ADB202
    try:
        return await db.fetch_all("SELECT count(*) FROM notes")
    finally:
        await db.disconnect()  # ok: ADB202


@app.get("/reconnect")
async def reconnect_shared_database():
    await database.connect()  # expect: ADB202
    try:
        return await database.fetch_val("SELECT count(*) FROM notes")
    finally:
        await database.disconnect()  # expect: ADB202


@app.get("/ensure-connected")
async def ensure_connected():
    if not database.is_connected:
        await database.connect()  # ok: ADB202
    return await database.fetch_val("SELECT 1")


@app.get("/legacy")
async def legacy_sqlite():
    connection = sqlite3.connect("notes.db")  # expect: ADB301
    return connection.execute("SELECT count(*) FROM notes").fetchone()


@app.get("/legacy-sync")
def legacy_sqlite_in_threadpool():
    connection = sqlite3.connect("notes.db")  # ok: ADB301
    return connection.execute("SELECT count(*) FROM notes").fetchone()


@app.delete("/sa/notes/{note_id}")
async def delete_note_orm(note_id: int, session: AsyncSession = Depends(get_session)):
    note = await session.get(Note, note_id)  # ok: ADB101
    session.delete(note)  # expect: ADB101
    session.commit()  # expect: ADB101


@app.get("/sa/notes")
async def list_notes_orm(session: AsyncSession = Depends(get_session)):
    result = session.execute(select(Note))  # expect: ADB102
    return result.scalars().all()


@app.get("/sa/raw/{owner}")
async def raw_sql(owner: str, session: AsyncSession = Depends(get_session)):
    result = await session.execute(text(f"SELECT * FROM notes WHERE owner = '{owner}'"))  # expect: ADB401
    return result.all()


def sync_helper(session: AsyncSession):
    session.commit()  # expect: ADB105


@app.get("/pool")
async def from_pool(request: Request):
    with request.app.state.pool.acquire() as connection:  # expect: ADB104
        return await connection.fetch("SELECT * FROM notes")


@app.get("/pool/first")
async def first_from_pool(request: Request):
    async with request.app.state.pool.acquire() as connection:  # ok: ADB104
        row = await connection.fetchrow("SELECT * FROM notes LIMIT 1")
        for value in row:  # expect: ADB501
            print(value)
        return row


@app.get("/sqlite/{name}")
async def aiosqlite_lookup(name: str):
    async with aiosqlite.connect("notes.db") as db:
        cursor = await db.execute("SELECT * FROM notes WHERE owner = '%s'" % name)  # expect: ADB402
        return await cursor.fetchall()


async def session_factory_ok():
    async with SessionLocal() as session:  # ok: ADB104
        await session.commit()  # ok: ADB101


class Note:
    id: int
    text: str
