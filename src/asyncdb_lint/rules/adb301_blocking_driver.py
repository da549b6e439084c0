"""ADB301: a blocking sync driver used inside `async def`."""

from asyncdb_lint.rules._blocking import blocking_calls
from asyncdb_lint.rules.base import Finding, Report, Rule


class BlockingDriverInAsyncFunction(Rule):
    code = "ADB301"
    name = "blocking-db-driver-in-async-function"
    summary = "A synchronous database driver is used inside an `async def`, blocking the event loop."
    what_it_does = """
        Checks for sync drivers - sqlite3, psycopg2, psycopg's sync API, pymysql,
        MySQLdb, mysql.connector, pyodbc, cx_Oracle/oracledb, pymongo, sync redis -
        used inside an `async def`: the connect call and every call on the
        connection, cursor or client it gives that waits on the database (also
        through `self.conn`, a module-level client or an annotated parameter),
        and calls of plain functions of the same file that do so; and the
        synchronous form of an async library's call (Piccolo's `run_sync()`,
        which blocks the caller while a worker thread runs the query). It reports the
        first line of each connection/cursor per function that really waits:
        creating a cursor, a `MongoClient` or a `Redis` client, a pipeline's
        queued commands and pure accessors (`get_backend_pid()`) do no I/O and
        are not reported. psycopg2 opened in async mode (`async_=True`, what
        aiopg uses) never blocks. Sync code handed to a thread
        (`asyncio.to_thread`, `loop.run_in_executor`, `run_in_threadpool`,
        anyio's and trio's `to_thread.run_sync`, or a `def` decorated with
        `@sync_to_async`) is fine.
        """
    why_bad = """
        A sync driver waits for the database on the event loop's thread: while
        one request waits, every other request of the worker is frozen. Under
        load, latency grows with every concurrent query and health checks time
        out.
        """
    example = """
        import sqlite3

        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/count")
        async def count():
            connection = sqlite3.connect("app.db")
            return connection.execute("SELECT count(*) FROM notes").fetchone()
        """
    use_instead = """
        import sqlite3

        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/count")
        def count():  # FastAPI runs plain `def` routes in a threadpool
            connection = sqlite3.connect("app.db")
            return connection.execute("SELECT count(*) FROM notes").fetchone()
        """
    fix_safety = """
        When the function is a FastAPI/Starlette route handler that never awaits
        anything, turning `async def` into `def` (which the framework runs in its
        threadpool) is offered as an unsafe fix: its callers and decorators may
        expect a coroutine function.
        """

    def check(self, model, report: Report) -> None:
        for found in blocking_calls(model, "driver"):
            report(Finding(self.code, found.call, found.message, found.fix))
