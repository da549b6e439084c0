# In the style of the Piccolo ORM docs (query types, transactions, batch) and the
# FastAPI app that `piccolo asgi new` generates.
from contextlib import asynccontextmanager
from typing import List

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from piccolo.columns import ForeignKey, Integer, Varchar
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table
from piccolo_api.crud.serializers import create_pydantic_model

DB = PostgresEngine(config={"database": "piccolo_project", "user": "postgres", "host": "localhost"})


class Manager(Table, db=DB):
    name = Varchar(length=50)


class Band(Table, db=DB):
    name = Varchar(length=50)
    manager = ForeignKey(references=Manager)
    popularity = Integer()


BandModelIn = create_pydantic_model(table=Band, model_name="BandModelIn")
BandModelOut = create_pydantic_model(table=Band, include_default_columns=True, model_name="BandModelOut")


@asynccontextmanager
async def lifespan(app: FastAPI):
    engine = engine_finder()
    await engine.start_connection_pool()
    yield
    await engine.close_connection_pool()


app = FastAPI(lifespan=lifespan)


async def queries():
    await Band.select(Band.name).where(Band.popularity > 100)
    band = await Band.objects().get(Band.name == "Pythonistas")
    band.popularity = 10000
    await band.save()
    await Band.insert(Band(name="Rustaceans", popularity=500))
    await Band.update({Band.popularity: 2000}).where(Band.name == "Rustaceans")
    await Band.delete().where(Band.popularity < 1000)
    print(await Band.count().where(Band.popularity > 1000))
    manager = await Manager.objects().get_or_create(Manager.name == "Guido")
    print(manager.to_dict())  # ok: ADB102


async def batches():
    async with await Band.select().batch(batch_size=100) as batch:  # ok: ADB104
        async for _batch in batch:  # ok: ADB103
            print(_batch)


async def transfer_manager(band_id: int, manager_id: int):
    async with DB.transaction():  # ok: ADB104
        await Band.update({Band.manager: manager_id}).where(Band.id == band_id)
        await Manager.update({Manager.name: Manager.name + " (busy)"}).where(Manager.id == manager_id)


@app.get("/bands/", response_model=List[BandModelOut])
async def bands(min_popularity: int = 0, order: bool = False):
    query = Band.select().where(Band.popularity >= min_popularity)  # ok: ADB102
    if order:
        query = query.order_by(Band.popularity, ascending=False)
    return await query


@app.get("/bands/search")
async def search_bands(name: str):
    exact = await Band.raw("SELECT * FROM band WHERE name = {}", name)  # ok: ADB402
    fuzzy = await Band.raw(f"SELECT * FROM band WHERE name ILIKE '%{name}%'")  # expect: ADB401
    return exact + fuzzy


@app.get("/bands/names")
async def band_names():
    return [band["name"] for band in Band.select(Band.name)]  # expect: ADB102


@app.post("/bands/", response_model=BandModelOut)
async def create_band(band_model: BandModelIn):
    band = Band(**band_model.dict())
    band.save()  # expect: ADB101
    return band.to_dict()


@app.put("/bands/{band_id}/", response_model=BandModelOut)
async def update_band(band_id: int, band_model: BandModelIn):
    band = Band.objects().get(Band.id == band_id)  # expect: ADB102
    if not band:
        return JSONResponse({}, status_code=404)
    for key, value in band_model.dict().items():
        setattr(band, key, value)
    await band.save()
    return band.to_dict()


@app.delete("/bands/{band_id}/")
async def delete_band(band_id: int):
    band = await Band.objects().get(Band.id == band_id)
    if not band:
        return JSONResponse({}, status_code=404)
    band.remove()  # expect: ADB101
    return JSONResponse({})


@app.post("/managers/{manager_id}/retire")
async def retire_manager(manager_id: int):
    with DB.transaction():  # expect: ADB104
        await Band.update({Band.manager: None}).where(Band.manager == manager_id)
        await Manager.delete().where(Manager.id == manager_id)
    return JSONResponse({})


def populate():
    # A sync script: run_sync() is the documented way outside the event loop.
    Band.insert(Band(name="Pythonistas", popularity=1000)).run_sync()  # ok: ADB105
    print(Band.select().run_sync())  # ok: ADB105
