"""ADB302: sync SQLAlchemy used inside `async def`."""

from asyncdb_lint.rules._blocking import blocking_calls
from asyncdb_lint.rules.base import Finding, Report, Rule


class BlockingSqlalchemyInAsyncFunction(Rule):
    code = "ADB302"
    name = "sync-sqlalchemy-in-async-function"
    summary = "Synchronous SQLAlchemy (Engine, Connection, Session) is used inside an `async def`."
    what_it_does = """
        Checks for sync SQLAlchemy inside an `async def`: `engine.connect()`/
        `begin()`, and `session.execute/query/commit/...` on a `Session(...)`,
        a `sessionmaker()` product or a `db: Session = Depends(get_db)` used in
        an `async def` route. Building an engine, a session factory or a
        session takes no connection, so `create_engine(...)`, `Session(...)`
        and `SessionLocal()` alone are not reported: the first call that
        queries is. Calls the code awaits are not sync SQLAlchemy, whatever the
        annotation says.
        """
    why_bad = """
        Sync SQLAlchemy runs the driver's blocking I/O on the event loop: every
        query freezes all other requests of the worker. FastAPI only runs
        *plain* `def` routes in a threadpool.
        """
    example = """
        from fastapi import Depends, FastAPI
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        app = FastAPI()

        def get_db():
            ...

        @app.get("/users")
        async def users(db: Session = Depends(get_db)):
            return db.execute(select(User)).scalars().all()
        """
    use_instead = """
        from fastapi import Depends, FastAPI
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        app = FastAPI()

        def get_db():
            ...

        @app.get("/users")
        def users(db: Session = Depends(get_db)):
            return db.execute(select(User)).scalars().all()
        """
    fix_safety = """
        When the function is a FastAPI/Starlette route handler that never awaits
        anything, turning `async def` into `def` (which the framework runs in its
        threadpool) is offered as an unsafe fix: its callers and decorators may
        expect a coroutine function.
        """

    def check(self, model, report: Report) -> None:
        for found in blocking_calls(model, "sqlalchemy"):
            report(Finding(self.code, found.call, found.message, found.fix))
