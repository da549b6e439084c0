import sqlite3

from databases import Database

database = Database("postgresql://localhost/app")


async def handler(name: str):
    database.execute("DELETE FROM sessions")
    rows = await database.fetch_all(f"SELECT * FROM users WHERE name = '{name}'")
    connection = sqlite3.connect("legacy.db")
    return rows, connection
