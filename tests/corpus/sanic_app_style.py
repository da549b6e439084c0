# In the style of Sanic's documentation: listeners open the pool and keep it on
# `app.ctx`, blueprints and `HTTPMethodView`s serve requests, middleware wraps them.
import asyncpg
from sanic import Blueprint, Request, Sanic
from sanic.exceptions import NotFound
from sanic.response import empty, json
from sanic.views import HTTPMethodView

app = Sanic("Inventory")
app.config.DB_DSN = "postgresql://sanic:secret@localhost/inventory"
products = Blueprint("products", url_prefix="/products")


@app.before_server_start
async def setup_db(app: Sanic):
    app.ctx.pool = await asyncpg.create_pool(app.config.DB_DSN, min_size=2, max_size=20)


@app.after_server_stop
async def close_db(app: Sanic):
    await app.ctx.pool.close()


@app.on_request
async def attach_request_id(request: Request):
    request.ctx.request_id = request.headers.get("X-Request-ID", "-")


@app.on_response
async def log_timing(request: Request, response):
    async with request.app.ctx.pool.acquire() as connection:
        await connection.execute("INSERT INTO access_log (path) VALUES ($1)", request.path)


@products.get("/")
async def list_products(request: Request):
    async with request.app.ctx.pool.acquire() as connection:
        rows = await connection.fetch("SELECT id, name, price FROM product ORDER BY name")
    return json([dict(row) for row in rows])


@products.get("/<product_id:int>")
async def get_product(request: Request, product_id: int):
    async with request.app.ctx.pool.acquire() as connection:
        row = await connection.fetchrow("SELECT id, name, price FROM product WHERE id = $1", product_id)
    if row is None:
        raise NotFound("no such product")
    return json(dict(row))


@products.get("/sorted")
async def sorted_products(request: Request):
    column = request.args.get("by", "name")
    async with request.app.ctx.pool.acquire() as connection:
        rows = await connection.fetch(f"SELECT id, name, price FROM product ORDER BY {column}")  # expect: ADB404
    return json([dict(row) for row in rows])


@products.post("/")
async def create_product(request: Request):
    connection = await asyncpg.connect(request.app.config.DB_DSN)  # expect: ADB201
    try:
        product_id = await connection.fetchval(
            "INSERT INTO product (name, price) VALUES ($1, $2) RETURNING id", request.json["name"], request.json["price"]
        )
    finally:
        await connection.close()
    return json({"id": product_id}, status=201)


@app.route("/stock")
async def stock(request: Request):
    async with request.app.ctx.pool.acquire() as connection:
        rows = await connection.fetch("SELECT product_id, quantity FROM stock")
    return json({"quantity": rows["quantity"]})  # expect: ADB502


class StockView(HTTPMethodView):
    async def get(self, request: Request, product_id: int):
        async with request.app.ctx.pool.acquire() as connection:
            quantity = await connection.fetchval("SELECT quantity FROM stock WHERE product_id = $1", product_id)
        return json({"quantity": quantity})

    async def put(self, request: Request, product_id: int):
        pool = await asyncpg.create_pool(request.app.config.DB_DSN)  # expect: ADB201
        async with pool.acquire() as connection:
            await connection.execute("UPDATE stock SET quantity = $1 WHERE product_id = $2", request.json["quantity"], product_id)
        await pool.close()
        return empty()

    async def delete(self, request: Request, product_id: int):
        async with request.app.ctx.pool.acquire() as connection:
            connection.execute("DELETE FROM stock WHERE product_id = $1", product_id)  # expect: ADB101
        return empty()


app.add_route(StockView.as_view(), "/stock/<product_id:int>")
app.blueprint(products)
