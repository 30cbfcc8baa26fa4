"""FSM storage in the database (both engines), and aiogram's RedisStorage against real Redis."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextvars import ContextVar

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import migrate
from storage.db import create_session_factory
from storage.fsm import DbStorage
from storage.models import FsmRecord
from tests.services import redis_url

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
KEY = StorageKey(bot_id=42, chat_id=1001, user_id=1001)
OTHER = StorageKey(bot_id=42, chat_id=1002, user_id=1002)


class Signup(StatesGroup):
    name = State()
    postcode = State()


class Clock:
    def __init__(self) -> None:
        self.value = T0

    def __call__(self) -> dt.datetime:
        return self.value


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


@pytest.fixture
def current() -> ContextVar[AsyncSession | None]:
    return ContextVar("test_current_session", default=None)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def storage(
    sessions: async_sessionmaker[AsyncSession],
    current: ContextVar[AsyncSession | None],
    clock: Clock,
) -> DbStorage:
    return DbStorage(sessions, current, clock)


async def _records(sessions: async_sessionmaker[AsyncSession]) -> list[FsmRecord]:
    async with sessions() as s:
        return list(await s.scalars(select(FsmRecord).order_by(FsmRecord.key)))


async def test_state_and_data_round_trip(
    storage: DbStorage, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}

    await storage.set_state(KEY, Signup.name)
    assert await storage.get_state(KEY) == "Signup:name"
    await storage.set_state(KEY, "Signup:postcode")
    assert await storage.get_state(KEY) == Signup.postcode.state

    clock.value = T0 + dt.timedelta(minutes=5)
    await storage.set_data(KEY, {"name": "Aïcha", "age": 15, "tags": ["a", "b"]})
    assert await storage.get_data(KEY) == {"name": "Aïcha", "age": 15, "tags": ["a", "b"]}
    assert await storage.get_state(KEY) == "Signup:postcode"  # data does not touch state

    # Keys are separate conversations.
    assert await storage.get_state(OTHER) is None
    assert await storage.get_data(OTHER) == {}

    [record] = await _records(sessions)
    assert record.updated_at == T0 + dt.timedelta(minutes=5)
    assert record.state == "Signup:postcode"


async def test_update_data_merges(storage: DbStorage) -> None:
    await storage.set_data(KEY, {"a": 1, "b": 2})
    merged = await storage.update_data(KEY, {"b": 3, "c": 4})
    assert merged == {"a": 1, "b": 3, "c": 4}
    assert await storage.get_data(KEY) == {"a": 1, "b": 3, "c": 4}


async def test_returned_data_is_a_copy(storage: DbStorage) -> None:
    await storage.set_data(KEY, {"a": 1})
    data = await storage.get_data(KEY)
    data["a"] = 2
    assert await storage.get_data(KEY) == {"a": 1}


async def test_clearing_removes_the_row(
    storage: DbStorage, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await storage.set_state(KEY, Signup.name)
    await storage.set_data(KEY, {"x": 1})
    await storage.set_state(OTHER, Signup.name)
    assert len(await _records(sessions)) == 2

    await storage.set_state(KEY, None)
    assert len(await _records(sessions)) == 2  # data still there
    await storage.set_data(KEY, {})
    [left] = await _records(sessions)
    assert ":1002:" in left.key and left.state == "Signup:name"
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}

    # Clearing a key never written creates nothing.
    await storage.set_state(StorageKey(bot_id=42, chat_id=9, user_id=9), None)
    await storage.set_data(StorageKey(bot_id=42, chat_id=9, user_id=9), {})
    assert len(await _records(sessions)) == 1


async def test_survives_a_new_storage_instance(
    storage: DbStorage,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    await storage.set_state(KEY, Signup.postcode)
    await storage.set_data(KEY, {"name": "Sem"})
    await storage.close()

    # A restart: new session factory, new context variable, new storage.
    restarted = DbStorage(
        create_session_factory(engine), ContextVar("after_restart", default=None), clock
    )
    assert await restarted.get_state(KEY) == "Signup:postcode"
    assert await restarted.get_data(KEY) == {"name": "Sem"}


async def test_writes_go_through_the_current_session_and_roll_back_with_it(
    storage: DbStorage,
    sessions: async_sessionmaker[AsyncSession],
    current: ContextVar[AsyncSession | None],
) -> None:
    await storage.set_state(KEY, Signup.name)  # committed before the "update"

    async with sessions() as handler_session:
        await handler_session.begin()
        token = current.set(handler_session)
        try:
            await storage.set_state(KEY, Signup.postcode)
            await storage.update_data(KEY, {"name": "Noor"})
            await storage.set_state(OTHER, Signup.name)
            # Inside the update the handler sees its own writes...
            assert await storage.get_state(KEY) == "Signup:postcode"
            assert await storage.get_data(KEY) == {"name": "Noor"}
            # ...flushed into its own transaction (not a side session that commits alone).
            in_tx = await handler_session.scalar(select(func.count()).select_from(FsmRecord))
            assert in_tx == 2
        finally:
            current.reset(token)

        # Outside the update nothing is visible yet.
        assert await storage.get_state(KEY) == "Signup:name"
        assert await storage.get_data(KEY) == {}
        assert await storage.get_state(OTHER) is None

        await handler_session.rollback()  # the handler failed

    assert await storage.get_state(KEY) == "Signup:name"
    assert await storage.get_data(KEY) == {}
    assert await storage.get_state(OTHER) is None
    assert len(await _records(sessions)) == 1


async def test_writes_through_the_current_session_commit_with_it(
    storage: DbStorage,
    sessions: async_sessionmaker[AsyncSession],
    current: ContextVar[AsyncSession | None],
) -> None:
    await storage.set_state(KEY, Signup.name)
    await storage.set_data(KEY, {"keep": True})
    async with sessions.begin() as handler_session:
        token = current.set(handler_session)
        try:
            await storage.set_state(KEY, None)
            await storage.set_data(KEY, {})  # cleared inside the update: row deleted
            await storage.set_state(OTHER, Signup.postcode)
        finally:
            current.reset(token)
    assert await storage.get_state(KEY) is None
    assert [r.state for r in await _records(sessions)] == ["Signup:postcode"]


async def test_nested_data_changed_in_place_is_saved_in_the_current_session(
    storage: DbStorage,
    sessions: async_sessionmaker[AsyncSession],
    current: ContextVar[AsyncSession | None],
) -> None:
    """A handler appending to a list it got from get_data, then saving it (common pattern)."""
    await storage.set_data(KEY, {"answers": ["ja"]})
    async with sessions.begin() as handler_session:
        token = current.set(handler_session)
        try:
            data = await storage.get_data(KEY)
            data["answers"].append("nee")
            await storage.update_data(KEY, {"answers": data["answers"]})
        finally:
            current.reset(token)
    assert await storage.get_data(KEY) == {"answers": ["ja", "nee"]}


async def test_redis_storage_state_and_data() -> None:
    from aiogram.fsm.storage.redis import RedisStorage

    url = await redis_url()
    redis = RedisStorage.from_url(url)
    try:
        assert await redis.get_state(KEY) is None
        await redis.set_state(KEY, Signup.postcode)
        await redis.set_data(KEY, {"name": "Lotte"})
        assert await redis.get_state(KEY) == "Signup:postcode"
        assert await redis.update_data(KEY, {"age": 14}) == {"name": "Lotte", "age": 14}
    finally:
        await redis.close()

    again = RedisStorage.from_url(url)  # a restart reads the same state
    try:
        assert await again.get_state(KEY) == "Signup:postcode"
        assert await again.get_data(KEY) == {"name": "Lotte", "age": 14}
        await again.set_state(KEY, None)
        assert await again.get_state(KEY) is None
    finally:
        await again.close()
