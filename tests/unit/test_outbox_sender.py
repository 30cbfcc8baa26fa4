"""The outbox sender against the emulator: retries, backoff, priorities, crash recovery."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.factory import make_bot
from bot.app.outbox_sender import OutboxSender, RateLimiter
from bot.app.retry import ChatPauses
from bot.kit.clock import ManualClock
from bot.kit.metrics import Metrics
from simulator.client import EmulatorClient
from simulator.server import TelegramEmulator
from storage import migrate, outbox, people
from storage.db import create_session_factory
from storage.models import OutboxMessage
from storage.outbox import Priority
from tests.conftest import TOKEN
from tests.e2e.helpers import eventually


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
    # jittered: between half the backoff (2 s after the first call) and all of it
    delay = row.not_before - manual_clock.now()
    assert dt.timedelta(seconds=1) <= delay <= dt.timedelta(seconds=2)
    manual_clock.advance(delay - dt.timedelta(milliseconds=1))
    assert await sender.run_once() == 0  # not due yet
    manual_clock.advance(dt.timedelta(milliseconds=1))
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


async def test_a_row_a_crashed_worker_was_sending_is_never_sent_again(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    dirk = await emu.create_user("Dirk")
    await _enqueue(sessions, manual_clock, dirk.id, "maybe-sent")
    async with sessions.begin() as session:  # a worker started the call, then died
        [claimed] = await outbox.claim_due(session, worker="dead", now=manual_clock.now(), limit=5)
        assert await outbox.start_sending(session, claimed.id, "dead", manual_clock.now())
    assert (await sender.recover()).uncertain == []  # a live worker may still be sending it
    manual_clock.advance(outbox.SENDING_LEASE + dt.timedelta(seconds=1))
    assert (await sender.recover()).uncertain == [claimed.id]
    assert (await _row(sessions, "maybe-sent")).status == "uncertain"
    assert await sender.run_once() == 0
    await dirk.expect_no_message(within=0.3)


async def test_a_batch_claimed_by_a_crashed_worker_is_sent_once_after_the_lease(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    """kill -9 between claiming a batch and its first call: nothing is stranded."""
    people_ = [await emu.create_user(f"P{i}") for i in range(10)]
    for i, person in enumerate(people_):
        await _enqueue(sessions, manual_clock, person.id, f"batch-{i}", Priority.BROADCAST)
    async with sessions.begin() as session:
        claimed = await outbox.claim_due(session, worker="dead", now=manual_clock.now(), limit=50)
    assert len(claimed) == 10
    assert await sender.run_once() == 0  # claimed by a worker that may still be alive
    manual_clock.advance(outbox.CLAIM_LEASE + dt.timedelta(seconds=1))
    assert (await sender.recover()).released == 10
    assert await sender.run_once() == 10
    for i, person in enumerate(people_):
        assert (await person.expect_message()).text == f"batch-{i}"
    assert len(await emu.calls(method="sendMessage")) == 10


async def test_an_error_mid_batch_gives_back_every_row_not_handed_to_telegram(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
    monkeypatch: pytest.MonkeyPatch,
):
    people_ = [await emu.create_user(f"P{i}") for i in range(5)]
    for i, person in enumerate(people_):
        await _enqueue(sessions, manual_clock, person.id, f"row-{i}")
    real_mark_sent = outbox.mark_sent
    calls = 0

    async def database_gone(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("database connection lost")
        await real_mark_sent(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", database_gone)
    with pytest.raises(ConnectionError):
        await sender.run_once()
    statuses = [(await _row(sessions, f"row-{i}")).status for i in range(5)]
    # the first was recorded, the second was in its call (maybe arrived), the rest went back
    assert statuses == ["sent", "sending", "pending", "pending", "pending"]
    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
    assert await sender.run_once() == 3
    texts = [c["params"]["text"] for c in await emu.calls(method="sendMessage")]
    assert sorted(texts) == [f"row-{i}" for i in range(5)]  # each once


async def test_a_cancelled_sender_gives_back_its_batch(
    sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    eva = await emu.create_user("Eva")
    for i in range(3):  # one chat: one a second, so the sender waits between them
        await _enqueue(sessions, manual_clock, eva.id, f"eva-{i}")
    task = asyncio.create_task(sender.run_once())
    await eva.expect_message()
    await eventually(lambda: _row(sessions, "eva-0"), lambda row: row.status == "sent")
    task.cancel()  # while it waits its turn for Eva's chat
    with pytest.raises(asyncio.CancelledError):
        await task
    statuses = sorted([(await _row(sessions, f"eva-{i}")).status for i in range(3)])
    assert statuses == ["pending", "pending", "sent"]


async def test_a_timeout_is_uncertain_and_reported_never_resent(
    emulator: TelegramEmulator,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    reports: list[tuple[int, str]] = []

    async def on_lost(session: AsyncSession, lost: list[outbox.Lost], now: dt.datetime) -> None:
        reports.extend((item.id, item.status.value) for item in lost)

    bot = make_bot(TOKEN, emulator.base_url)
    bot.session.timeout = 0.5  # Telegram hangs far longer (120 s) than we wait
    sender = OutboxSender(bot, sessions, manual_clock, Metrics(), on_lost=on_lost)
    try:
        fay = await emu.create_user("Fay")
        async with sessions.begin() as session:
            await outbox.enqueue(
                session,
                chat_id=str(fay.id),
                payload={"text": "answer"},
                key="answer",
                now=manual_clock.now(),
                report_to=None,
            )
        await emu.inject_fault("sendMessage", 1, "timeout", chat_id=fay.id)
        assert await sender.run_once() == 1
        row = await _row(sessions, "answer")
        assert row.status == "uncertain" and "timeout" in (row.last_error or "").lower()
        manual_clock.advance(dt.timedelta(hours=1))
        assert await sender.run_once() == 0
    finally:
        await bot.session.close()


async def test_an_outage_is_retried_for_a_day_then_dead_and_reported(
    emulator: TelegramEmulator,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    reports: list[tuple[int, str, int]] = []

    async def on_lost(session: AsyncSession, lost: list[outbox.Lost], now: dt.datetime) -> None:
        reports.extend((item.id, item.status.value, item.report_to) for item in lost)

    bot = make_bot(TOKEN, emulator.base_url)
    sender = OutboxSender(
        bot,
        sessions,
        manual_clock,
        Metrics(),
        on_lost=on_lost,
        monotonic=lambda: manual_clock.now().timestamp(),  # the rate limits follow the clock
    )
    try:
        gijs = await emu.create_user("Gijs")
        hana = await emu.create_user("Hana")
        async with sessions.begin() as session:
            await people.ensure_programme(session, "Oss", "Europe/Amsterdam", manual_clock.now())
            cor = await people.ensure_telegram_member(
                session,
                user_id=hana.id,
                chat_id=hana.id,
                first_name="Hana",
                display_name="h",
                now=manual_clock.now(),
            )
            for key, chat in (("short", gijs.id), ("long", hana.id + 1)):
                await outbox.enqueue(
                    session,
                    chat_id=str(chat),
                    payload={"text": key},
                    key=key,
                    now=manual_clock.now(),
                    report_to=cor.person.id,
                )
        # Telegram down for five minutes for Gijs: far more than 8 tries, still delivered
        await emu.inject_fault("sendMessage", 1000, "error", status=502, chat_id=gijs.id)
        await emu.inject_fault("sendMessage", 100_000, "error", status=502, chat_id=hana.id + 1)
        start = manual_clock.now()
        while manual_clock.now() - start < dt.timedelta(minutes=5):
            await sender.run_once()
            manual_clock.advance(dt.timedelta(seconds=20))
        await emu.clear_faults()
        await emu.inject_fault("sendMessage", 100_000, "error", status=502, chat_id=hana.id + 1)
        for _ in range(40):
            await sender.run_once()
            manual_clock.advance(dt.timedelta(minutes=10))
        assert (await _row(sessions, "short")).status == "sent"
        assert (await gijs.expect_message()).text == "short"
        # the other one: tried for 24 hours, then a dead letter, reported once
        while (await _row(sessions, "long")).status != "dead":
            assert manual_clock.now() - start < dt.timedelta(hours=25)
            await sender.run_once()
            manual_clock.advance(dt.timedelta(minutes=10))
        dead = await _row(sessions, "long")
        assert dead.first_attempt_at is not None
        assert manual_clock.now() - start >= outbox.RETRY_WINDOW
        assert reports == [(dead.id, "dead", cor.person.id)]
    finally:
        await bot.session.close()


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


async def test_a_chat_paused_by_a_direct_answer_waits_in_the_outbox_too(
    emulator: TelegramEmulator,
    sessions: async_sessionmaker[AsyncSession],
    manual_clock: ManualClock,
    emu: EmulatorClient,
):
    ines = await emu.create_user("Ines")
    jan = await emu.create_user("Jan")
    pauses = ChatPauses(lambda: manual_clock.now().timestamp())
    bot = make_bot(TOKEN, emulator.base_url)
    sender = OutboxSender(
        bot,
        sessions,
        manual_clock,
        Metrics(),
        pauses=pauses,
        monotonic=lambda: manual_clock.now().timestamp(),
    )
    try:
        await _enqueue(sessions, manual_clock, ines.id, "for-ines")
        await _enqueue(sessions, manual_clock, jan.id, "for-jan")
        pauses.pause(ines.id, 30)  # a direct answer to Ines met a 429
        assert await sender.run_once() == 2
        assert (await jan.expect_message()).text == "for-jan"
        row = await _row(sessions, "for-ines")
        assert row.status == "pending" and row.attempts == 0
        assert row.not_before == manual_clock.now() + dt.timedelta(seconds=30)
        manual_clock.advance(dt.timedelta(seconds=30))
        assert await sender.run_once() == 1
        assert (await ines.expect_message()).text == "for-ines"
    finally:
        await bot.session.close()
