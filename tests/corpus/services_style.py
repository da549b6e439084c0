# Service and repository classes in a FastAPI app: results, sync clients, raw SQL.
import json
import sqlite3
from typing import Optional

import asyncpg
import pymongo
import redis
from databases import Database
from fastapi import APIRouter, Depends

router = APIRouter()
database = Database("postgresql://localhost/app")


class UserService:
    def __init__(self, pool: asyncpg.Pool, cache: redis.Redis):
        self.pool = pool
        self.cache = cache
        self.mongo = pymongo.MongoClient("mongodb://localhost")

    async def get(self, user_id: int) -> Optional[dict]:
        cached = self.cache.get(f"user:{user_id}")  # expect: ADB301
        if cached:
            return json.loads(cached)
        row = await self.pool.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
        return dict(row) if row else None

    async def names(self) -> list:
        rows = await self.pool.fetch("SELECT name FROM users")
        return [row["name"] for row in rows]

    async def first_names(self) -> list:
        row = await self.pool.fetchrow("SELECT name FROM users ORDER BY id")
        return [name for name in row]  # expect: ADB501

    async def emails(self) -> list:
        records = await self.pool.fetch("SELECT email FROM users")
        return records["email"]  # expect: ADB502

    async def activity(self, user_id: int):
        return self.mongo.analytics.events.find_one({"user": user_id})  # expect: ADB301

    def activity_sync(self, user_id: int):
        return self.mongo.analytics.events.find_one({"user": user_id})

    async def by_status(self, status: str):
        sql = "SELECT * FROM users WHERE status = $1"
        return await self.pool.fetch(sql, status)

    async def by_role(self, role: str, order_by: str = "id"):
        sql = "SELECT * FROM users WHERE role = $1 ORDER BY %s" % order_by  # expect: ADB404
        return await self.pool.fetch(sql, role)


class NotesRepository:
    def __init__(self, db: Database):
        self.db = db

    async def latest(self):
        note = await self.db.fetch_one("SELECT * FROM notes ORDER BY id DESC LIMIT 1")
        for column in note:  # expect: ADB501
            print(column)
        return note

    async def all(self):
        notes = await self.db.fetch_all("SELECT * FROM notes")
        total = len(notes)
        first = notes[0] if notes else None
        return {"total": total, "first": first, "ids": [n["id"] for n in notes]}

    async def titles(self):
        notes = await self.db.fetch_all("SELECT title FROM notes")
        return notes.title  # expect: ADB502


def get_repository() -> NotesRepository:
    return NotesRepository(database)


@router.get("/notes/latest")
async def latest(repository: NotesRepository = Depends(get_repository)):
    return await repository.latest()


@router.get("/legacy/{key}")
async def legacy(key: str):
    with sqlite3.connect("legacy.db") as connection:  # expect: ADB301
        row = connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return {"value": row[0] if row else None}
