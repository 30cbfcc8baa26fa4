"""The sender's improvements for broadcasts: rows claimed but never sent go back at a stop;
messages are evenly spaced (no burst of twice the rate in the first second)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.factory import make_bot
from bot.app.outbox_sender import OutboxSender, RateLimiter
from bot.kit.clock import ManualClock
from bot.kit.metrics import Metrics
from simulator.client import EmulatorClient
from simulator.server import TelegramEmulator
from storage import migrate, outbox
from storage.db import create_session_factory
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import Priority
from tests.conftest import TOKEN


@pytest.fixture
async def sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    await migrate.upgrade(sqlite_engine)
    return create_session_factory(sqlite_engine)


@pytest.fixture
async def sender(
    emulator: TelegramEmulator,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
) -> AsyncIterator[OutboxSender]:
    bot = make_bot(TOKEN, emulator.base_url)
    yield OutboxSender(bot, sessions, manual_clock, Metrics(), rate_per_second=10)
    await bot.session.close()


async def _fill(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, chats: list[int]
) -> None:
    async with sessions.begin() as session:
        for chat in chats:
            await outbox.enqueue(
                session,
                chat_id=str(chat),
                payload={"text": f"hello {chat}"},
                key=f"k{chat}",
                now=clock.now(),
                priority=Priority.BROADCAST,
            )


async def _statuses(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[str, tuple[OutboxStatus, int]]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage))
        return {r.idempotency_key: (r.status, r.attempts) for r in rows}


async def test_a_stop_gives_back_what_was_not_sent(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
) -> None:
    users = [await emu.create_user(f"U{n}") for n in range(6)]
    await _fill(sessions, manual_clock, [u.id for u in users])
    stop = asyncio.Event()
    run = asyncio.create_task(sender.run_once(stop))
    await users[1].expect_message(timeout=3)
    stop.set()
    assert await run == 6
    statuses = await _statuses(sessions)
    sent = [k for k, (s, _a) in statuses.items() if s is OutboxStatus.SENT]
    back = [k for k, (s, a) in statuses.items() if s is OutboxStatus.PENDING and a == 0]
    assert len(sent) >= 2 and len(sent) + len(back) == 6
    # the next run sends the rest; nobody twice
    assert await sender.run_once() == len(back)
    assert {s for s, _a in (await _statuses(sessions)).values()} == {OutboxStatus.SENT}
    calls = await emu.calls("sendMessage")
    assert sorted(int(c["params"]["chat_id"]) for c in calls) == sorted(u.id for u in users)


async def test_a_cancelled_sender_gives_back_the_rows_it_did_not_try(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
) -> None:
    users = [await emu.create_user(f"V{n}") for n in range(6)]
    await _fill(sessions, manual_clock, [u.id for u in users])
    run = asyncio.create_task(sender.run_once())
    await users[1].expect_message(timeout=3)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    statuses = await _statuses(sessions)
    assert all(
        s in (OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENDING)
        for s, _a in statuses.values()
    )
    in_flight = sum(s is OutboxStatus.SENDING for s, _a in statuses.values())
    assert in_flight <= 1  # at most the one in flight
    assert sum(s is OutboxStatus.PENDING for s, _a in statuses.values()) >= 1


def test_the_sender_spaces_messages_evenly() -> None:
    now = [0.0]
    limiter = RateLimiter(per_second=25, now=lambda: now[0], burst=1.0)
    sent = 0
    while now[0] < 1.0:
        if limiter.wait_time(f"c{sent}") == 0:
            limiter.take(f"c{sent}")
            sent += 1
        now[0] += 0.001
    assert sent <= 26
