# In the style of redis-py's asyncio examples (pipelines, pub/sub, locks,
# scan_iter) and a FastAPI caching layer around it.
import asyncio
import json
from contextlib import asynccontextmanager

import redis
import redis.asyncio as aioredis
from fastapi import FastAPI
from redis.exceptions import WatchError

pool = aioredis.ConnectionPool.from_url("redis://localhost:6379/0", decode_responses=True)
r = aioredis.Redis.from_pool(pool)


@asynccontextmanager
async def lifespan(app: FastAPI):
    print(f"Ping successful: {await r.ping()}")
    yield
    await r.aclose()


app = FastAPI(lifespan=lifespan)


async def pipelines():
    async with r.pipeline(transaction=True) as pipe:
        ok1, ok2 = await (pipe.set("key1", "value1").set("key2", "value2").execute())
    assert ok1 and ok2
    async with r.pipeline() as pipe:
        pipe.incr("hits")  # ok: ADB101
        pipe.expire("hits", 3600)  # ok: ADB101
        await pipe.execute()


async def next_sequence() -> int:
    async with r.pipeline() as pipe:
        while True:
            try:
                await pipe.watch("OUR-SEQUENCE-KEY")
                current_value = await pipe.get("OUR-SEQUENCE-KEY")
                next_value = int(current_value or 0) + 1
                pipe.multi()  # ok: ADB101
                pipe.set("OUR-SEQUENCE-KEY", next_value)  # ok: ADB101
                await pipe.execute()
                return next_value
            except WatchError:
                continue


async def reader(channel: aioredis.client.PubSub):
    async for message in channel.listen():  # ok: ADB103
        if message["type"] == "message" and message["data"] == "STOP":
            break


async def pubsub_demo():
    async with r.pubsub() as pubsub:
        await pubsub.subscribe("channel:1", "channel:2")
        future = asyncio.create_task(reader(pubsub))
        await r.publish("channel:1", "Hello")
        await r.publish("channel:2", "STOP")
        await future


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    cached = r.get(f"item:{item_id}")  # expect: ADB102
    if cached:
        return json.loads(cached)
    item = {"id": item_id, "name": f"Item {item_id}"}
    await r.set(f"item:{item_id}", json.dumps(item), ex=60)
    return item


@app.post("/items/{item_id}/views")
async def count_view(item_id: int):
    r.incr(f"views:{item_id}")  # expect: ADB101
    return {"ok": True}


@app.post("/cart/{user_id}")
async def add_to_cart(user_id: int, product_id: int):
    pipe = r.pipeline()  # ok: ADB102
    pipe.sadd(f"cart:{user_id}", product_id)  # ok: ADB101
    pipe.expire(f"cart:{user_id}", 86400)  # ok: ADB101
    pipe.execute()  # expect: ADB101
    return {"added": product_id}


@app.delete("/sessions")
async def clear_sessions():
    deleted = 0
    for key in r.scan_iter("session:*"):  # expect: ADB103
        deleted += await r.delete(key)
    return {"deleted": deleted}


@app.post("/reports")
async def build_report():
    with r.lock("report-lock", timeout=30):  # expect: ADB104
        await r.set("report:status", "running")
    async with r.lock("report-lock", timeout=30, blocking_timeout=5):  # ok: ADB104
        await r.set("report:status", "done")
    return {"status": "done"}


@app.get("/leaderboard")
async def leaderboard():
    client = aioredis.Redis(host="localhost", port=6379, decode_responses=True)  # expect: ADB201
    top = await client.zrevrange("scores", 0, 9, withscores=True)
    await client.aclose()
    return top


async def expire_sessions():
    async for key in r.scan_iter(match="session:*", count=100):  # ok: ADB103
        ttl = await r.ttl(key)
        if ttl < 0:
            await r.expire(key, 3600)


def warm_cache_sync():
    # The sync client in a management script.
    sync_r = redis.Redis(host="localhost", port=6379, decode_responses=True)
    sync_r.set("warm", "1")  # ok: ADB101
    for key in sync_r.scan_iter("item:*"):  # ok: ADB103
        print(key)
    with sync_r.lock("warm-lock", timeout=5):  # ok: ADB104
        sync_r.incr("warm:count")


if __name__ == "__main__":
    asyncio.run(pubsub_demo())
