"""ADB201: a database handle built per request."""

from asyncdb_lint.model.handles import handle_label, kept_beyond_the_call, pool_instead
from asyncdb_lint.model.requests import request_context
from asyncdb_lint.rules.base import Finding, Report, Rule


class HandlePerRequest(Rule):
    code = "ADB201"
    name = "db-handle-per-request"
    summary = "A `Database`, engine, pool or connection is built inside a request handler or dependency."
    what_it_does = """
        Checks for `Database(...)`, `create_async_engine(...)`, the pools and
        connects of asyncpg, psycopg, aiomysql, asyncmy and aiopg, and the
        clients of Motor, pymongo and `redis.asyncio`, called in code that
        runs per request: route handlers, middleware, dependency providers and
        the helpers they call. Memoised construction (`@lru_cache`, a
        `global _pool` with an `if _pool is None` guard, a per-key cache), a
        per-request `AsyncSession` from a shared engine, and `aiosqlite.connect`
        are fine.
        """
    why_bad = """
        Each of these opens new network connections and authenticates: doing it
        per request adds a round trip or three to every request, defeats the
        pool, and under load exhausts the server's connection limit. The handle
        belongs to the process: build it once at import or in the lifespan.
        """
    example = """
        import asyncpg
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/users")
        async def users():
            connection = await asyncpg.connect("postgresql://localhost/app")
            try:
                return await connection.fetch("SELECT * FROM users")
            finally:
                await connection.close()
        """
    use_instead = """
        import asyncpg
        from fastapi import FastAPI, Request

        app = FastAPI()

        @app.get("/users")
        async def users(request: Request):
            async with request.app.state.pool.acquire() as connection:
                return await connection.fetch("SELECT * FROM users")
        """

    def check(self, model, report: Report) -> None:
        context = request_context(model)
        for call in model.calls:
            scope = model.scope_of[call]
            function_scope = scope.function_scope
            function = function_scope.function if function_scope is not None else None
            if function is None or not context.is_per_request(function) or context.is_memoised(function):
                continue
            label = handle_label(model, call)
            if label is None or kept_beyond_the_call(model, call, function):
                continue
            pool = pool_instead(model, call)
            if pool is not None:
                create, take = pool
                message = (
                    f"`{label}` opens a connection per request in `{function.name}`: create a pool with `{create}` "
                    f"once (at import or in the lifespan) and take a connection with `async with {take}` per request"
                )
            else:
                message = (
                    f"`{label}` is built per request in `{function.name}`: build it once (at import or in the "
                    "lifespan) and share it"
                )
            report(Finding(self.code, call, message))
