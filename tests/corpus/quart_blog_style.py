# In the style of Quart's documentation and tutorials: serving hooks own the
# database, blueprints hold the routes, request hooks run around each request.
from databases import Database
from quart import Blueprint, Quart, abort, g, jsonify, request
from quart.views import MethodView

app = Quart(__name__)
app.config.from_mapping(DATABASE_URL="postgresql://localhost/blog")
blog = Blueprint("blog", __name__, url_prefix="/posts")
db = Database("postgresql://localhost/blog")


@app.before_serving
async def connect_db():
    await db.connect()


@app.after_serving
async def disconnect_db():
    await db.disconnect()


@app.before_request
async def load_user():
    user_id = request.headers.get("X-User")
    g.user = await db.fetch_one("SELECT * FROM users WHERE id = :id", values={"id": user_id}) if user_id else None


@blog.get("/")
async def index():
    posts = await db.fetch_all("SELECT id, title, body, created FROM post ORDER BY created DESC")
    return jsonify([dict(post) for post in posts])


@blog.get("/<int:post_id>")
async def show(post_id: int):
    post = await db.fetch_one("SELECT * FROM post WHERE id = :id", values={"id": post_id})
    if post is None:
        abort(404)
    return jsonify(dict(post))


@blog.post("/")
async def create():
    data = await request.get_json()
    async with db.transaction():
        await db.execute("INSERT INTO post (title, body) VALUES (:title, :body)", values=data)
    return jsonify(data), 201


@blog.get("/tagged/<tag>")
async def tagged(tag: str):
    posts = await db.fetch_all("SELECT * FROM post WHERE tags LIKE '%" + tag + "%'")  # expect: ADB403
    return jsonify([dict(post) for post in posts])


@blog.get("/latest-titles")
async def latest_titles():
    post = await db.fetch_one("SELECT title FROM post ORDER BY created DESC LIMIT 1")
    return jsonify([title for title in post])  # expect: ADB501


@app.route("/admin/reindex", methods=["POST"])
async def reindex():
    await db.connect()  # expect: ADB202
    await db.execute("REINDEX TABLE post")
    return "", 204


@app.websocket("/live")
async def live():
    local = Database("postgresql://localhost/blog")  # expect: ADB201
    async with local:
        count = await local.fetch_val("SELECT count(*) FROM post")
    await websocket_send(count)


async def websocket_send(value):
    from quart import websocket

    await websocket.send(str(value))


class PostAPI(MethodView):
    async def get(self, post_id: int):
        post = await db.fetch_one("SELECT * FROM post WHERE id = :id", values={"id": post_id})
        return jsonify(dict(post))

    async def delete(self, post_id: int):
        await db.execute("DELETE FROM post WHERE id = :id", values={"id": post_id})
        await db.disconnect()  # expect: ADB202
        return "", 204


app.add_url_rule("/api/posts/<int:post_id>", view_func=PostAPI.as_view("post_api"))
app.register_blueprint(blog)
