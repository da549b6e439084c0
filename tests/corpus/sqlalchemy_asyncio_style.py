# In the style of SQLAlchemy 2.0's asyncio documentation.
from __future__ import annotations

import asyncio
import datetime
from typing import List

from sqlalchemy import ForeignKey, func, select
from sqlalchemy.ext.asyncio import AsyncAttrs, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload


class Base(AsyncAttrs, DeclarativeBase):
    pass


class A(Base):
    __tablename__ = "a"
    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[str]
    create_date: Mapped[datetime.datetime] = mapped_column(server_default=func.now())
    bs: Mapped[List[B]] = relationship()


class B(Base):
    __tablename__ = "b"
    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("a.id"))
    data: Mapped[str]


async def insert_objects(async_session: async_sessionmaker[AsyncSession]) -> None:
    async with async_session() as session:
        async with session.begin():
            session.add_all(
                [
                    A(bs=[B(data="b1"), B(data="b2")], data="a1"),
                    A(bs=[], data="a2"),
                ]
            )


async def select_and_update_objects(async_session: async_sessionmaker[AsyncSession]) -> None:
    async with async_session() as session:
        stmt = select(A).order_by(A.id).options(selectinload(A.bs))
        result = await session.execute(stmt)
        for a in result.scalars():
            print(a, a.data)
        result = await session.execute(select(A).order_by(A.id).limit(1))
        a1 = result.scalars().one()
        a1.data = "new data"
        await session.commit()
        for b1 in await a1.awaitable_attrs.bs:
            print(b1)


async def streaming(async_session: async_sessionmaker[AsyncSession]) -> None:
    async with async_session() as session:
        result = await session.stream(select(A))
        async for a in result.scalars():
            print(a)
        stream = await session.stream(select(A))
        for row in stream:  # expect: ADB103
            print(row)
        rows = stream.all()  # expect: ADB102
        print(len(rows))


async def core_usage() -> None:
    engine = create_async_engine("postgresql+asyncpg://scott:tiger@localhost/test", echo=True)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with engine.connect() as conn:
        result = await conn.execute(select(A))
        print(result.fetchall())
        conn.commit()  # expect: ADB101
    await engine.dispose()


async def async_main() -> None:
    engine = create_async_engine("postgresql+asyncpg://scott:tiger@localhost/test")
    async_session = async_sessionmaker(engine, expire_on_commit=False)
    await insert_objects(async_session)
    await select_and_update_objects(async_session)
    await engine.dispose()


async def mistakes(async_session: async_sessionmaker[AsyncSession]) -> None:
    async with async_session() as session:
        a = session.get(A, 1)  # expect: ADB102
        print(a.data)
        session.delete(a)  # expect: ADB101
        obj = A(data="x")
        session.add(obj)
        session.refresh(obj)  # expect: ADB101
        count = session.scalar(select(func.count()).select_from(A))  # expect: ADB102
        if count > 10:
            print("many")
        await session.commit()


def sync_callback(session: AsyncSession) -> None:
    session.flush()  # expect: ADB105


async def run_sync_usage(session: AsyncSession) -> None:
    def fetch_and_update_objects(sync_session):
        sync_session.execute(select(A))
        sync_session.commit()

    await session.run_sync(fetch_and_update_objects)


async def scalar_results(session: AsyncSession) -> list:
    users = (await session.scalars(select(A))).all()
    first = (await session.execute(select(A))).scalars().first()
    return [users, first]


asyncio.run(async_main())
