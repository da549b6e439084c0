# In the style of the aiosqlite README.
import aiosqlite


async def readme(path: str):
    async with aiosqlite.connect(path) as db:
        await db.execute("INSERT INTO some_table (a) VALUES (1)")
        await db.commit()

        async with db.execute("SELECT * FROM some_table") as cursor:
            async for row in cursor:
                print(row)

        db.row_factory = aiosqlite.Row
        async with db.execute("SELECT * FROM some_table") as cursor:
            async for row in cursor:
                print(row["a"])

        rows = await db.execute_fetchall("SELECT * FROM some_table")
        for row in rows:
            print(row)


async def manual(path: str):
    db = await aiosqlite.connect(path)
    cursor = await db.execute("SELECT * FROM some_table")
    row = await cursor.fetchone()
    rows = await cursor.fetchall()
    await cursor.close()
    await db.close()
    return row, rows


async def mistakes(path: str):
    async with aiosqlite.connect(path) as db:
        db.execute("INSERT INTO some_table (a) VALUES (2)")  # expect: ADB101
        db.commit()  # expect: ADB101
        cursor = await db.execute("SELECT * FROM some_table")
        for row in cursor:  # expect: ADB103
            print(row)
        rows = cursor.fetchall()  # expect: ADB102
        return len(rows)


async def not_entered(path: str):
    db = aiosqlite.connect(path)
    async with db:
        await db.execute("SELECT 1")


class Cache:
    def __init__(self, path: str):
        self.path = path
        self.db = None

    async def open(self):
        self.db = await aiosqlite.connect(self.path)

    async def get(self, key: str):
        async with self.db.execute("SELECT value FROM cache WHERE key = ?", (key,)) as cursor:
            return await cursor.fetchone()

    async def put(self, key: str, value: str):
        await self.db.execute("INSERT OR REPLACE INTO cache VALUES (?, ?)", (key, value))
        self.db.commit()  # expect: ADB101


async def with_bug(path: str):
    with aiosqlite.connect(path) as db:  # expect: ADB104
        await db.execute("SELECT 1")
