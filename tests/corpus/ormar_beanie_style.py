# In the style of the ormar docs (models, QuerySet, FastAPI) and the Beanie
# tutorial (Documents on PyMongo's async client, find/find_one, update operators).
from contextlib import asynccontextmanager
from typing import Optional

import ormar
import sqlalchemy
from beanie import Document, Indexed, init_beanie
from beanie.operators import Set
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from pymongo import AsyncMongoClient

base_ormar_config = ormar.OrmarConfig(
    metadata=sqlalchemy.MetaData(),
    database=ormar.DatabaseConnection("sqlite+aiosqlite:///db.sqlite"),
)


class Album(ormar.Model):
    ormar_config = base_ormar_config.copy(tablename="albums")

    id: int = ormar.Integer(primary_key=True)
    name: str = ormar.String(max_length=100)


class Track(ormar.Model):
    ormar_config = base_ormar_config.copy(tablename="tracks")

    id: int = ormar.Integer(primary_key=True)
    album: Optional[Album] = ormar.ForeignKey(Album)
    title: str = ormar.String(max_length=100)
    position: int = ormar.Integer()


class Category(BaseModel):
    name: str
    description: str


class Product(Document):
    name: str
    description: Optional[str] = None
    price: Indexed(float)
    category: Category

    class Settings:
        name = "products"


@asynccontextmanager
async def lifespan(app: FastAPI):
    database = base_ormar_config.database
    if not database.is_connected:
        await database.connect()
    client = AsyncMongoClient("mongodb://localhost:27017")
    await init_beanie(database=client.shop, document_models=[Product])
    yield
    await client.close()
    if database.is_connected:
        await database.disconnect()


app = FastAPI(lifespan=lifespan)


async def ormar_tour():
    malibu = await Album.objects.create(name="Malibu")
    await Track.objects.create(album=malibu, title="The Bird", position=1)
    track = await Track.objects.get(title="The Bird")
    print(track.album.name)
    fantasies = Track.objects.filter(album__name="Fantasies").order_by("position")  # ok: ADB102
    print(await fantasies.all())
    async for track in Track.objects.iterate():  # ok: ADB103
        print(track.title)


@app.get("/albums/{album_id}/tracks")
async def album_tracks(album_id: int):
    tracks = Track.objects.filter(album__id=album_id).all()  # expect: ADB102
    return tracks


@app.put("/albums/{album_id}")
async def rename_album(album_id: int, name: str):
    album = await Album.objects.get(id=album_id)
    album.update(name=name)  # expect: ADB101
    return album


@app.patch("/albums/{album_id}")
async def patch_album(album_id: int, data: dict):
    album = await Album.objects.get(id=album_id)
    album.update_from_dict(data)  # ok: ADB101
    await album.update()
    return album


@app.get("/tracks/titles")
async def track_titles():
    titles = []
    for track in Track.objects.iterate():  # expect: ADB103
        titles.append(track.title)
    return titles


# --- Beanie -------------------------------------------------------------------------------
async def beanie_tour():
    chocolate = Category(name="Chocolate", description="A preparation of roasted and ground cacao seeds.")
    tonybar = Product(name="Tony's", price=5.95, category=chocolate)
    await tonybar.insert()
    product = await Product.find_one(Product.price < 10)
    await product.set({Product.name: "Gold bar"})
    cheap = Product.find(Product.price < 5).sort(-Product.price).limit(10)  # ok: ADB102
    print(await cheap.to_list())
    async for result in Product.find(Product.category.name == "Chocolate"):  # ok: ADB103
        print(result.name)
    await Product.find_one(Product.name == "Tony's").update(Set({Product.price: 3.33}))  # ok: ADB101


@app.get("/products/{name}")
async def product_price(name: str):
    product = Product.find_one(Product.name == name)  # expect: ADB102
    if product is None:
        raise HTTPException(status_code=404)
    return {"name": product.name, "price": product.price}


@app.post("/products/{product_id}/discount")
async def discount(product_id: str, percent: float):
    product = await Product.get(product_id)
    if product is None:
        raise HTTPException(status_code=404)
    product.set({Product.price: round(product.price * (1 - percent / 100), 2)})  # expect: ADB101
    return product


@app.get("/categories/{category}")
async def by_category(category: str):
    products = await Product.find(Product.category.name == category).to_list()  # ok: ADB102
    names = [p.name for p in products]  # ok: ADB103
    for product in Product.find(Product.category.name == category, Product.price > 100):  # expect: ADB103
        names.append(product.name.upper())
    return names
