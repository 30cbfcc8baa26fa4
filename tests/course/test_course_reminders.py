"""Reminders through the emulator: right local times across DST, quiet hours, exactly once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage.models import OutboxMessage
from tests.conftest import BotHarness
from tests.course.conftest import make_world

ADULT = dt.date(1990, 5, 1)
MINOR = dt.date(2011, 5, 1)
UTC = dt.UTC


async def _world(harness: BotHarness, clock: ManualClock, starts, leader, people):  # type: ignore[no-untyped-def]
    async with harness.app.sessions.begin() as session:
        return await make_world(
            session, starts=starts, leader_tg=leader, participants=people, now=clock.now()
        )


async def _sweep_at(harness: BotHarness, clock: ManualClock, moment: dt.datetime) -> None:
    clock.set(moment)
    await harness.app.sweeper.run_all()


async def test_reminders_at_local_times_across_october_and_march(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 10, 20, 10, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    # Sunday 25 October 2026 19:00 CET (18:00Z): the evening before is still summer time.
    # Sunday 28 March 2027 19:00 CEST (17:00Z): the evening before is still winter time.
    october = dt.datetime(2026, 10, 25, 18, 0, tzinfo=UTC)
    march = dt.datetime(2027, 3, 28, 17, 0, tzinfo=UTC)
    await _world(harness, clock, [october, march], lotte.id, [(anna.id, "Anna", ADULT)])

    await _sweep_at(harness, clock, dt.datetime(2026, 10, 24, 16, 59, tzinfo=UTC))
    await anna.expect_no_message(within=0.4)
    await _sweep_at(harness, clock, dt.datetime(2026, 10, 24, 17, 0, tzinfo=UTC))  # 19:00 CEST
    evening = await anna.expect_message()
    assert "morgen is Bijeenkomst 1 van Groep <Noord>" in evening.text
    assert "zondag 25 oktober 2026 om 19:00" in evening.text
    assert "Wijkhuis De Poort" in evening.text and evening.buttons == ["Ik kom", "Ik kan niet"]
    await _sweep_at(harness, clock, dt.datetime(2026, 10, 25, 15, 59, tzinfo=UTC))
    await anna.expect_no_message(within=0.4)
    await _sweep_at(harness, clock, dt.datetime(2026, 10, 25, 16, 0, tzinfo=UTC))  # 17:00 CET
    soon = await anna.expect_message()
    assert "straks is Bijeenkomst 1" in soon.text and "om 19:00" in soon.text

    await _sweep_at(harness, clock, dt.datetime(2027, 3, 27, 17, 59, tzinfo=UTC))
    await anna.expect_no_message(within=0.4)
    await _sweep_at(harness, clock, dt.datetime(2027, 3, 27, 18, 0, tzinfo=UTC))  # 19:00 CET
    evening = await anna.expect_message()
    assert "zondag 28 maart 2027 om 19:00" in evening.text
    await _sweep_at(harness, clock, dt.datetime(2027, 3, 28, 15, 0, tzinfo=UTC))  # 17:00 CEST
    assert "straks is Bijeenkomst 2" in (await anna.expect_message()).text


async def test_minor_gets_early_reminder_at_eight(harness: BotHarness, emu: EmulatorClient) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, adult, minor = (
        await emu.create_user("Lotte"),
        await emu.create_user("Bram"),
        await emu.create_user("Mila"),
    )
    # Tuesday 10 March 2026 09:30 CET: the 2-hours-before reminder is due at 07:30 local.
    start = dt.datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    await _world(
        harness, clock, [start], lotte.id, [(adult.id, "Bram", ADULT), (minor.id, "Mila", MINOR)]
    )
    await _sweep_at(harness, clock, dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC))
    assert "morgen" in (await adult.expect_message()).text
    assert "morgen" in (await minor.expect_message()).text
    await _sweep_at(harness, clock, dt.datetime(2026, 3, 10, 6, 30, tzinfo=UTC))  # 07:30 local
    assert "straks" in (await adult.expect_message()).text
    await minor.expect_no_message(within=0.5)
    await _sweep_at(harness, clock, dt.datetime(2026, 3, 10, 6, 59, tzinfo=UTC))
    await minor.expect_no_message(within=0.3)
    await _sweep_at(harness, clock, dt.datetime(2026, 3, 10, 7, 0, tzinfo=UTC))  # 08:00 local
    assert "straks" in (await minor.expect_message()).text


async def test_restart_just_before_due_sends_exactly_once_and_late_ones_are_dropped(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    first = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # 19:00 CET
    second = dt.datetime(2026, 3, 17, 18, 0, tzinfo=UTC)
    await _world(harness, clock, [first, second], lotte.id, [(anna.id, "Anna", ADULT)])
    await _sweep_at(harness, clock, dt.datetime(2026, 3, 9, 17, 59, 50, tzinfo=UTC))
    await harness.stop()
    clock.set(dt.datetime(2026, 3, 9, 18, 0, 5, tzinfo=UTC))
    await harness.start()
    await harness.app.sweeper.run_all()
    await harness.app.sweeper.run_all()
    assert "morgen" in (await anna.expect_message()).text
    await harness.restart()
    await harness.app.sweeper.run_all()
    await anna.expect_no_message(within=0.5)
    # down from before the 2-hours reminder until after the start: nothing late is sent
    await harness.stop()
    clock.set(dt.datetime(2026, 3, 10, 18, 5, tzinfo=UTC))
    await harness.start()
    await harness.app.sweeper.run_all()
    await anna.expect_no_message(within=0.5)
    # after downtime, only the latest due reminder of a session that has not begun
    await harness.stop()
    clock.set(dt.datetime(2026, 3, 17, 16, 30, tzinfo=UTC))
    await harness.start()
    await harness.app.sweeper.run_all()
    assert "straks is Bijeenkomst 2" in (await anna.expect_message()).text
    await anna.expect_no_message(within=0.5)
    async with harness.app.sessions() as session:
        count = await session.scalar(
            select(func.count()).where(OutboxMessage.idempotency_key.like("reminder:%"))
        )
    assert count == 2
