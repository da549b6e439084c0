# In the style of the encode/databases README and docs (queries, connections, transactions).
import asyncio

from databases import Database

database = Database("postgresql+asyncpg://localhost/example")


async def main():
    await database.connect()

    query = """CREATE TABLE HighScores (id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)"""
    await database.execute(query=query)

    query = "INSERT INTO HighScores(name, score) VALUES (:name, :score)"
    values = [
        {"name": "Daisy", "score": 92},
        {"name": "Neil", "score": 87},
        {"name": "Carol", "score": 43},
    ]
    await database.execute_many(query=query, values=values)

    query = "SELECT * FROM HighScores"
    rows = await database.fetch_all(query=query)
    print("High Scores:", rows)

    row = await database.fetch_one(query=query)
    value = await database.fetch_val(query=query)
    print(row, value)

    async for row in database.iterate(query=query):
        print(row)

    async with database.connection() as connection:
        async with connection.transaction():
            await connection.execute("UPDATE HighScores SET score = score + 1")

    transaction = await database.transaction()
    try:
        await database.execute("DELETE FROM HighScores WHERE score < 50")
    except Exception:
        await transaction.rollback()
    else:
        await transaction.commit()

    await database.disconnect()


@database.transaction()
async def create_users(request):
    await database.execute("INSERT INTO users (name) VALUES ('x')")


async def forgot_the_awaits():
    database.connect()  # expect: ADB101
    rows = database.fetch_all(query="SELECT * FROM HighScores")  # expect: ADB102
    for row in rows:
        print(row["name"])
    database.transaction()  # expect: ADB104
    await database.execute("UPDATE HighScores SET score = 0")
    database.disconnect()  # expect: ADB101


async def connection_forms():
    async with database.connection() as connection:
        connection.execute("SELECT 1")  # expect: ADB101
        raw = connection.raw_connection
        print(raw)
    connection = database.connection()
    async with connection:
        await connection.fetch_all("SELECT 1")


async def concurrent_reads():
    first, second = await asyncio.gather(
        database.fetch_one("SELECT 1"),
        database.fetch_one("SELECT 2"),
    )
    tasks = [asyncio.create_task(database.fetch_val(f"SELECT {n}")) for n in range(3)]  # ok: ADB401
    done = await asyncio.gather(*tasks)
    return first, second, done


async def low_level_transaction():
    transaction = database.transaction()
    await transaction.start()
    try:
        await database.execute("UPDATE t SET x = 1")
    finally:
        transaction.commit()  # expect: ADB101


if __name__ == "__main__":
    asyncio.run(main())
