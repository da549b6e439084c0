# In the style of FastAPI's "Async SQL (Relational) Databases" tutorial.
from typing import List

import databases
import sqlalchemy
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DATABASE_URL = "sqlite:///./test.db"

database = databases.Database(DATABASE_URL)

metadata = sqlalchemy.MetaData()

notes = sqlalchemy.Table(
    "notes",
    metadata,
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
    sqlalchemy.Column("text", sqlalchemy.String),
    sqlalchemy.Column("completed", sqlalchemy.Boolean),
)

engine = sqlalchemy.create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
metadata.create_all(engine)


class NoteIn(BaseModel):
    text: str
    completed: bool


class Note(BaseModel):
    id: int
    text: str
    completed: bool


app = FastAPI()


@app.on_event("startup")  # expect: ADB203
async def startup():
    await database.connect()


@app.on_event("shutdown")  # expect: ADB203
async def shutdown():
    await database.disconnect()


@app.get("/notes/", response_model=List[Note])
async def read_notes():
    query = notes.select()
    return await database.fetch_all(query)


@app.get("/notes/{note_id}", response_model=Note)
async def read_note(note_id: int):
    query = notes.select().where(notes.c.id == note_id)
    note = database.fetch_one(query)  # expect: ADB102
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@app.post("/notes/", response_model=Note)
async def create_note(note: NoteIn):
    query = notes.insert().values(text=note.text, completed=note.completed)
    last_record_id = await database.execute(query)
    return {**note.dict(), "id": last_record_id}


@app.put("/notes/{note_id}", response_model=Note)
async def update_note(note_id: int, note: NoteIn):
    query = notes.update().where(notes.c.id == note_id).values(text=note.text, completed=note.completed)
    database.execute(query)  # expect: ADB101
    return {**note.dict(), "id": note_id}


@app.delete("/notes/{note_id}")
async def delete_note(note_id: int):
    query = notes.delete().where(notes.c.id == note_id)
    await database.execute(query)
    return {"deleted": note_id}


@app.get("/notes/count")
async def count_notes():
    total = database.fetch_val("SELECT COUNT(*) FROM notes")  # expect: ADB102
    return {"count": total}


@app.get("/notes/open")
async def open_notes():
    rows = await database.fetch_all(notes.select().where(notes.c.completed == False))  # noqa: E712
    return [row["text"] for row in rows]


@app.post("/notes/bulk")
async def create_many(items: List[NoteIn]):
    values = [{"text": item.text, "completed": item.completed} for item in items]
    async with database.transaction():
        await database.execute_many(query=notes.insert(), values=values)
    return {"created": len(values)}


@app.post("/notes/archive")
async def archive():
    with database.transaction():  # expect: ADB104
        await database.execute("UPDATE notes SET completed = 1")
        await database.execute("DELETE FROM notes WHERE completed = 1")
    return {"ok": True}


@app.get("/notes/stream")
async def stream_notes():
    results = []
    async for row in database.iterate(query=notes.select()):
        results.append(row["text"])
    return results


@app.get("/notes/stream-bad")
async def stream_notes_bad():
    return [row["text"] for row in database.iterate(query=notes.select())]  # expect: ADB103


def sync_report():
    rows = database.fetch_all(notes.select())  # expect: ADB105
    return len(rows)


@app.get("/notes/first")
async def first_note():
    return database.fetch_one(notes.select().limit(1))  # expect: ADB102
