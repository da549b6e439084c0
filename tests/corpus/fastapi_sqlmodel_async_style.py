# In the style of FastAPI's SQL databases tutorial, with SQLModel and an async session.
from typing import Annotated, AsyncIterator

from fastapi import Depends, FastAPI, HTTPException, Query
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    age: int | None = Field(default=None, index=True)
    secret_name: str


sqlite_url = "sqlite+aiosqlite:///database.db"
engine = create_async_engine(sqlite_url)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with AsyncSession(engine) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]

app = FastAPI()


@app.post("/heroes/")
async def create_hero(hero: Hero, session: SessionDep) -> Hero:
    session.add(hero)
    await session.commit()
    await session.refresh(hero)
    return hero


@app.get("/heroes/")
async def read_heroes(session: SessionDep, offset: int = 0, limit: Annotated[int, Query(le=100)] = 100) -> list:
    heroes = (await session.exec(select(Hero).offset(offset).limit(limit))).all()
    return heroes


@app.get("/heroes/{hero_id}")
async def read_hero(hero_id: int, session: SessionDep) -> Hero:
    hero = await session.get(Hero, hero_id)
    if not hero:
        raise HTTPException(status_code=404, detail="Hero not found")
    return hero


@app.delete("/heroes/{hero_id}")
async def delete_hero(hero_id: int, session: SessionDep):
    hero = await session.get(Hero, hero_id)
    if not hero:
        raise HTTPException(status_code=404, detail="Hero not found")
    session.delete(hero)  # expect: ADB101
    await session.commit()
    return {"ok": True}


@app.patch("/heroes/{hero_id}")
async def update_hero(hero_id: int, hero: Hero, session: SessionDep):
    hero_db = session.get(Hero, hero_id)  # expect: ADB102
    if not hero_db:
        raise HTTPException(status_code=404, detail="Hero not found")
    hero_db.sqlmodel_update(hero.model_dump(exclude_unset=True))
    session.add(hero_db)
    session.commit()  # expect: ADB101
    return hero_db


@app.get("/heroes-sync/{hero_id}")
def read_hero_sync(hero_id: int, session: SessionDep):
    hero = session.get(Hero, hero_id)  # expect: ADB105
    return hero


@app.get("/heroes/by-name/{name}")
async def by_name(name: str, session: AsyncSession = Depends(get_session)):
    result = session.exec(select(Hero).where(Hero.name == name))  # expect: ADB102
    return result.first()


@app.get("/heroes/count")
async def count(session: SessionDep):
    heroes = await session.exec(select(Hero))
    return {"count": len(heroes.all())}
