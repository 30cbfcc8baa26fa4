"""The outbox sender against the emulator: retries, backoff, priorities, crash recovery."""

from __future__ import annotations

import datetime as dt
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
from storage.models import OutboxMessage
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
    yield OutboxSender(bot, sessions, manual_clock, Metrics(), rate_per_second=30)
    await bot.session.close()


async def _enqueue(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    chat: int,
    key: str,
    priority: Priority = Priority.INTERACTIVE,
) -> None:
    async with sessions.begin() as session:
        await outbox.enqueue(
            session,
            chat_id=str(chat),
            payload={"text": key},
            key=key,
            now=clock.now(),
            priority=priority,
        )


async def _row(sessions: async_sessionmaker[AsyncSession], key: str) -> OutboxMessage:
    async with sessions() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )
        assert row is not None
        return row


async def test_a_server_error_is_retried_with_backoff(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    user = await emu.create_user("Ada")
    await _enqueue(sessions, manual_clock, user.id, "hallo-1")
    await emu.inject_fault("sendMessage", 1, "error", status=502, chat_id=user.id)
    assert await sender.run_once() == 1
    row = await _row(sessions, "hallo-1")
    assert row.status == "pending" and row.attempts == 1
    assert row.not_before == manual_clock.now() + dt.timedelta(seconds=2)
    assert await sender.run_once() == 0  # not due yet
    manual_clock.advance(dt.timedelta(seconds=2))
    assert await sender.run_once() == 1
    assert (await _row(sessions, "hallo-1")).status == "sent"
    assert (await user.expect_message()).text == "hallo-1"


async def test_interactive_messages_go_before_broadcasts(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    ben = await emu.create_user("Ben")
    cas = await emu.create_user("Cas")
    await _enqueue(sessions, manual_clock, ben.id, "broadcast", Priority.BROADCAST)
    await _enqueue(sessions, manual_clock, cas.id, "reminder", Priority.REMINDER)
    await _enqueue(sessions, manual_clock, ben.id, "interactive", Priority.INTERACTIVE)
    await sender.run_once()
    sent = [c["params"]["text"] for c in await emu.calls(method="sendMessage")]
    assert sent == ["interactive", "reminder", "broadcast"]


async def test_a_row_claimed_by_a_crashed_worker_is_never_sent_again(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    dirk = await emu.create_user("Dirk")
    await _enqueue(sessions, manual_clock, dirk.id, "maybe-sent")
    async with sessions.begin() as session:  # a worker claimed it, then died mid-send
        claimed = await outbox.claim_due(session, worker="dead", now=manual_clock.now(), limit=5)
    assert len(claimed) == 1
    assert await sender.recover() == 0  # a live worker may still be sending it
    manual_clock.advance(dt.timedelta(minutes=10))
    assert await sender.recover() == 1
    assert (await _row(sessions, "maybe-sent")).status == "uncertain"
    assert await sender.run_once() == 0
    await dirk.expect_no_message(within=0.3)


async def test_a_refused_message_fails_without_retrying(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
):
    await _enqueue(sessions, manual_clock, 999_999, "nobody")  # no such chat
    await sender.run_once()
    row = await _row(sessions, "nobody")
    assert row.status == "failed" and "chat not found" in (row.last_error or "")


def test_rate_limiter_spaces_messages_to_one_chat_and_overall():
    now = [100.0]
    limiter = RateLimiter(per_second=2, per_chat_interval=1.0, now=lambda: now[0])
    assert limiter.wait_time("a") == 0
    limiter.take("a")
    assert limiter.wait_time("a") == pytest.approx(1.0)
    assert limiter.wait_time("b") == 0
    limiter.take("b")
    assert limiter.wait_time("c") == pytest.approx(0.5)  # the bucket of 2 a second is empty
    now[0] += 0.5
    assert limiter.wait_time("c") == 0


async def test_a_burst_to_one_chat_does_not_hold_up_the_others(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    cor = await emu.create_user("Cor")
    others = [await emu.create_user(f"P{i}") for i in range(5)]
    for i in range(3):  # three notes for the coordinator: one a second at most
        await _enqueue(sessions, manual_clock, cor.id, f"cor-{i}")
    for i, person in enumerate(others):
        await _enqueue(sessions, manual_clock, person.id, f"p-{i}")
    await sender.run_once()
    sent = [c["params"]["text"] for c in await emu.calls(method="sendMessage")]
    # everyone else is served before the coordinator's second and third note
    assert sent[:6] == ["cor-0", "p-0", "p-1", "p-2", "p-3", "p-4"]
    assert sent[6:] == ["cor-1", "cor-2"]
