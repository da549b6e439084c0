# In the style of the Tortoise ORM getting-started guide, its examples and its
# FastAPI integration (RegisterTortoise, pydantic_model_creator).
from contextlib import asynccontextmanager
from typing import List

from fastapi import FastAPI, HTTPException
from tortoise import Tortoise, connections, fields, run_async
from tortoise.contrib.fastapi import RegisterTortoise
from tortoise.contrib.pydantic import pydantic_model_creator
from tortoise.models import Model
from tortoise.transactions import in_transaction


class Tournament(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)

    def __str__(self):
        return self.name


class Event(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    tournament = fields.ForeignKeyField("models.Tournament", related_name="events")
    participants = fields.ManyToManyField("models.Team", related_name="events", through="event_team")
    modified = fields.DatetimeField(auto_now=True)
    prize = fields.DecimalField(max_digits=10, decimal_places=2, null=True)


class Team(Model):
    id = fields.IntField(primary_key=True)
    name = fields.TextField()


Tournament_Pydantic = pydantic_model_creator(Tournament, name="Tournament")


async def main():
    await Tortoise.init(db_url="sqlite://db.sqlite3", modules={"models": ["__main__"]})
    await Tortoise.generate_schemas()
    tournament = Tournament(name="New Tournament")
    await tournament.save()
    await Tournament.create(name="Another Tournament")
    tour = await Tournament.filter(name__contains="Another").first()
    print(tour.name)
    event = await Event.create(name="Test", tournament=tournament)
    participants = [await Team.create(name=f"Team {i + 1}") for i in range(2)]
    await event.participants.add(*participants)
    async for team in event.participants:
        print(team.name)
    selected = await Event.filter(participants=participants[0].id).prefetch_related("participants", "tournament")
    for ev in selected:  # ok: ADB103
        print(ev.tournament.name)
    print(Event.filter(name="Test").sql())  # ok: ADB102
    await Tortoise.close_connections()


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with RegisterTortoise(app, db_url="sqlite://:memory:", modules={"models": ["__main__"]}, generate_schemas=True):
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/tournaments", response_model=List[Tournament_Pydantic])
async def get_tournaments():
    return await Tournament_Pydantic.from_queryset(Tournament.all())  # ok: ADB102


@app.get("/tournaments/{tournament_id}")
async def get_tournament(tournament_id: int):
    tournament = Tournament.get(id=tournament_id)  # expect: ADB102
    return {"id": tournament.id, "name": tournament.name}


@app.put("/tournaments/{tournament_id}")
async def rename_tournament(tournament_id: int, name: str):
    Tournament.filter(id=tournament_id).update(name=name)  # expect: ADB101
    return await Tournament_Pydantic.from_queryset_single(Tournament.get(id=tournament_id))


@app.patch("/tournaments/{tournament_id}")
async def patch_tournament(tournament_id: int, data: dict):
    tournament = await Tournament.get_or_none(id=tournament_id)
    if tournament is None:
        raise HTTPException(status_code=404, detail="Tournament not found")
    tournament.update_from_dict(data)  # ok: ADB101
    await tournament.save()
    return await Tournament_Pydantic.from_tortoise_orm(tournament)


@app.get("/events/recent")
async def recent_events(limit: int = 10):
    qs = Event.filter(prize__isnull=False).order_by("-modified")  # ok: ADB102
    names = []
    for event in qs.limit(limit):  # expect: ADB103
        names.append(event.name)
    async for event in Event.filter(prize__isnull=True).limit(limit):  # ok: ADB103
        names.append(event.name)
    return names


@app.post("/events/{event_id}/move")
async def move_event(event_id: int, tournament_id: int):
    with in_transaction() as conn:  # expect: ADB104
        event = await Event.get(id=event_id).using_db(conn)
        event.tournament_id = tournament_id
        await event.save(using_db=conn)
    return {"moved": event_id}


@app.post("/events")
async def create_event(name: str, tournament_id: int):
    async with in_transaction() as conn:  # ok: ADB104
        event = await Event.create(name=name, tournament_id=tournament_id, using_db=conn)
        await Tournament.filter(id=tournament_id).update(name=name)  # ok: ADB101
    return {"id": event.id}


@app.get("/events/search")
async def search_events(name: str):
    conn = connections.get("default")  # ok: ADB102
    rows = await conn.execute_query_dict("SELECT id, name FROM event WHERE name = ?", [name])
    more = await conn.execute_query_dict(f"SELECT id, name FROM event WHERE name LIKE '%{name}%'")  # expect: ADB401
    return rows + more


if __name__ == "__main__":
    run_async(main())
