# In the style of the databasez documentation (the `databases` API carried on:
# queries, SQLAlchemy Core, transactions, connections, batched iteration).
from contextlib import asynccontextmanager

import sqlalchemy
from databasez import Database
from fastapi import FastAPI

DATABASE_URL = "postgresql+asyncpg://localhost/example"
SCORES_TABLE = "HighScores"

metadata = sqlalchemy.MetaData()
notes = sqlalchemy.Table(
    "notes",
    metadata,
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
    sqlalchemy.Column("text", sqlalchemy.String(length=100)),
    sqlalchemy.Column("completed", sqlalchemy.Boolean),
)

database = Database(DATABASE_URL)


@asynccontextmanager
async def lifespan(app: FastAPI):
    await database.connect()
    await database.create_all(metadata)
    yield
    await database.disconnect()


app = FastAPI(lifespan=lifespan)


async def quickstart():
    async with Database("sqlite+aiosqlite:///example.db") as db:
        await db.execute(query="CREATE TABLE HighScores (id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)")
        query = "INSERT INTO HighScores(name, score) VALUES (:name, :score)"
        values = [{"name": "Daisy", "score": 92}, {"name": "Neil", "score": 87}, {"name": "Carol", "score": 43}]
        await db.execute_many(query=query, values=values)
        rows = await db.fetch_all(query=f"SELECT * FROM {SCORES_TABLE}")  # ok: ADB404
        print("High Scores:", rows)
        async for row in db.iterate(query="SELECT * FROM HighScores"):  # ok: ADB103
            print(row)


@app.get("/notes")
async def list_notes():
    query = notes.select()
    return await database.fetch_all(query)


@app.get("/notes/{note_id}")
async def read_note(note_id: int):
    row = database.fetch_one(notes.select().where(notes.c.id == note_id))  # expect: ADB102
    return {"id": row["id"], "text": row["text"]}


@app.post("/notes")
async def create_note(text: str):
    async with database.transaction():  # ok: ADB104
        note_id = await database.execute(notes.insert(), values={"text": text, "completed": False})
        await database.execute(query="UPDATE counters SET n = n + 1 WHERE name = :name", values={"name": "notes"})
    return {"id": note_id}


@app.put("/notes/{note_id}")
async def complete_note(note_id: int):
    with database.transaction():  # expect: ADB104
        await database.execute(notes.update().where(notes.c.id == note_id).values(completed=True))
    return {"id": note_id}


@app.delete("/notes/{note_id}")
async def delete_note(note_id: int):
    database.execute(notes.delete().where(notes.c.id == note_id))  # expect: ADB101
    return {"deleted": note_id}


@app.get("/scores")
async def scores(name: str):
    if not database.is_connected:
        await database.connect()  # ok: ADB202
    return await database.fetch_all(f"SELECT * FROM HighScores WHERE name = '{name}'")  # expect: ADB401


@app.get("/export")
async def export():
    await database.connect()  # expect: ADB202
    lines = []
    for row in database.iterate(notes.select()):  # expect: ADB103
        lines.append(f"{row['id']},{row['text']}")
    return "\n".join(lines)


async def manual_transaction(note_id: int):
    transaction = await database.transaction()  # ok: ADB104
    try:
        await database.execute(notes.delete().where(notes.c.id == note_id))
    except Exception:
        await transaction.rollback()
        raise
    else:
        await transaction.commit()


@database.transaction()
async def archive_completed():
    await database.execute("INSERT INTO archive SELECT * FROM notes WHERE completed")
    await database.execute("DELETE FROM notes WHERE completed")


async def reindex():
    async with database.connection() as connection:  # ok: ADB104
        async for batch in connection.batched_iterate(notes.select(), batch_size=500):  # ok: ADB103
            print(len(batch))
        raw = await connection.get_raw_connection()
        print(raw)


def cleanup_job():
    # Handed to the scheduler, which awaits it.
    return database.execute("DELETE FROM notes WHERE completed")  # ok: ADB105
