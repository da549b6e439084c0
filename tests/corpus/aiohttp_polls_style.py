# In the style of aiohttp's server tutorial (the "polls" demo): a `cleanup_ctx` that
# owns the pool, a RouteTableDef, class-based views, and new-style middlewares.
import asyncpg
from aiohttp import web

DSN = "postgresql://aiohttp:secret@localhost/polls"
routes = web.RouteTableDef()
pool_key = web.AppKey("pool", asyncpg.Pool)


async def pg_context(app: web.Application):
    app[pool_key] = await asyncpg.create_pool(DSN, min_size=1, max_size=10)
    yield
    await app[pool_key].close()


async def warm_up(app: web.Application) -> None:
    async with app[pool_key].acquire() as connection:
        await connection.execute("SELECT 1")


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    async with request.app[pool_key].acquire() as connection:
        questions = await connection.fetch("SELECT id, question_text FROM question ORDER BY pub_date DESC LIMIT 5")
    return web.json_response([dict(q) for q in questions])


@routes.get("/poll/{question_id}")
async def poll(request: web.Request) -> web.Response:
    question_id = int(request.match_info["question_id"])
    async with request.app[pool_key].acquire() as connection:
        question = await connection.fetchrow("SELECT * FROM question WHERE id = $1", question_id)
        if question is None:
            raise web.HTTPNotFound(text="Question not found")
        choices = await connection.fetch("SELECT * FROM choice WHERE question_id = $1", question_id)
    return web.json_response({"question": question["question_text"], "choices": [dict(c) for c in choices]})


@routes.post("/poll/{question_id}/vote")
async def vote(request: web.Request) -> web.Response:
    question_id = int(request.match_info["question_id"])
    data = await request.post()
    async with request.app[pool_key].acquire() as connection:
        await connection.execute(
            "UPDATE choice SET votes = votes + 1 WHERE id = $1 AND question_id = $2",
            int(data["choice"]),
            question_id,
        )
    raise web.HTTPFound(f"/poll/{question_id}/results")


@routes.get("/poll/{question_id}/results")
async def results(request: web.Request) -> web.Response:
    question_id = request.match_info["question_id"]
    connection = await asyncpg.connect(DSN)  # expect: ADB201
    try:
        rows = await connection.fetch(f"SELECT choice_text, votes FROM choice WHERE question_id = {question_id}")  # expect: ADB401
    finally:
        await connection.close()
    return web.json_response([dict(r) for r in rows])


@routes.view("/questions/{question_id}")
class QuestionView(web.View):
    async def get(self) -> web.Response:
        async with self.request.app[pool_key].acquire() as connection:
            row = await connection.fetchrow("SELECT * FROM question WHERE id = $1", int(self.request.match_info["question_id"]))
        return web.json_response({"question": row["question_text"]})

    async def delete(self) -> web.Response:
        async with self.request.app[pool_key].acquire() as connection:
            connection.execute("DELETE FROM question WHERE id = $1", int(self.request.match_info["question_id"]))  # expect: ADB101
        return web.Response(status=204)


async def stats(request: web.Request) -> web.Response:
    pool = await asyncpg.create_pool(DSN)  # expect: ADB201
    async with pool.acquire() as connection:
        total = await connection.fetchval("SELECT sum(votes) FROM choice")
    await pool.close()
    return web.json_response({"votes": total})


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        return web.json_response({"error": exc.reason}, status=exc.status)


async def init_app() -> web.Application:
    app = web.Application(middlewares=[error_middleware])
    app.cleanup_ctx.append(pg_context)
    app.on_startup.append(warm_up)
    app.add_routes(routes)
    app.router.add_get("/stats", stats)
    return app


if __name__ == "__main__":
    web.run_app(init_app())
