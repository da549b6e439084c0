# In the style of a Starlette app with encode/databases (Starlette's own database docs).
import contextlib

import databases
import sqlalchemy
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

DATABASE_URL = "postgresql://localhost/notes"

metadata = sqlalchemy.MetaData()
notes = sqlalchemy.Table(
    "notes",
    metadata,
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
    sqlalchemy.Column("text", sqlalchemy.String),
    sqlalchemy.Column("completed", sqlalchemy.Boolean),
)

database = databases.Database(DATABASE_URL)


@contextlib.asynccontextmanager
async def lifespan(app):
    await database.connect()
    yield
    await database.disconnect()


async def list_notes(request):
    query = notes.select()
    results = await database.fetch_all(query)
    content = [{"text": result["text"], "completed": result["completed"]} for result in results]
    return JSONResponse(content)


async def add_note(request):
    data = await request.json()
    query = notes.insert().values(text=data["text"], completed=data["completed"])
    await database.execute(query)
    return JSONResponse({"text": data["text"], "completed": data["completed"]})


async def search_notes(request):
    term = request.query_params["q"]
    results = await database.fetch_all(f"SELECT * FROM notes WHERE text LIKE '%{term}%'")  # expect: ADB401
    return JSONResponse([dict(r) for r in results])


async def note_by_id(request):
    note_id = request.path_params["id"]
    row = await database.fetch_one("SELECT * FROM notes WHERE id = :id", values={"id": note_id})
    return JSONResponse({"text": row["text"]})


async def first_note_texts(request):
    row = await database.fetch_one(notes.select().limit(1))
    return JSONResponse([value for value in row])  # expect: ADB501


async def all_texts(request):
    rows = await database.fetch_all(notes.select())
    return JSONResponse({"text": rows["text"]})  # expect: ADB502


async def sorted_notes(request):
    order = request.query_params.get("order", "id")
    query = "SELECT * FROM notes ORDER BY " + order  # expect: ADB404
    return JSONResponse([dict(r) for r in await database.fetch_all(query)])


async def report(request):
    db = databases.Database(DATABASE_URL)  # expect: ADB201
    async with db:
        count = await db.fetch_val("SELECT count(*) FROM notes")
    return JSONResponse({"count": count})


class NoteEndpoint(HTTPEndpoint):
    async def get(self, request):
        rows = await database.fetch_all(notes.select())
        return JSONResponse([dict(r) for r in rows])

    async def delete(self, request):
        await database.connect()  # expect: ADB202
        await database.execute(notes.delete())
        return JSONResponse({})


class DbCheckMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if not database.is_connected:
            await database.connect()
        return await call_next(request)


routes = [
    Route("/notes", endpoint=list_notes, methods=["GET"]),
    Route("/notes", endpoint=add_note, methods=["POST"]),
    Route("/search", endpoint=search_notes),
    Route("/notes/{id}", endpoint=note_by_id),
    Route("/first", endpoint=first_note_texts),
    Route("/texts", endpoint=all_texts),
    Route("/sorted", endpoint=sorted_notes),
    Route("/report", endpoint=report),
    Route("/endpoint", NoteEndpoint),
]

app = Starlette(routes=routes, lifespan=lifespan)
