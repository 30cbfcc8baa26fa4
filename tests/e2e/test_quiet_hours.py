"""Quiet hours that no path can skip (issue 11, point 6), end to end.

Monday 22:30 in Amsterdam: every feature's sweep runs (the course reminder, the nazorg nudge and
whatever else is due), a coordinator broadcasts an opportunity with /kans and answers a
question (/vraag). Nothing reaches the 14-year-olds before Tuesday 08:00; the adults get theirs
at once, and a minor's own conversation with the bot (direct answers) is not delayed. The rule
lives in `storage.outbox`, so the paths not walked here (signup, hours, activities) get it too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient, TestUser
from storage.models import OutboxMessage, OutboxStatus
from tests.conftest import BotHarness
from tests.course.conftest import make_world
from tests.e2e.helpers import eventually
from tests.e2e.test_question_flow import ask
from tests.nazorg.nazorg_helpers import citytrainer, set_nazorg
from tests.opportunities.conftest import post_opportunity

MORNING_BEFORE = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # Monday 11:00 in Amsterdam
NIGHT = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # Monday 22:30 in Amsterdam
EIGHT = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # Tuesday 08:00 in Amsterdam
SESSION = dt.datetime(2026, 3, 3, 18, 0, tzinfo=dt.UTC)  # Tuesday 19:00: reminder Monday 19:00
MINOR = dt.date(2011, 9, 1)  # 14
ADULT = dt.date(1990, 5, 1)


async def _rows_for(harness: BotHarness, users: list[TestUser]) -> list[OutboxMessage]:
    async with harness.app.sessions() as session:
        return list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id.in_([str(u.id) for u in users]))
            )
        )


async def test_nothing_reaches_a_minor_at_night_whatever_the_path(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(MORNING_BEFORE)
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=clock)
    await set_nazorg(harness)
    lotte, noor, anna, mila, bram = [
        await emu.create_user(name) for name in ("Lotte", "Noor", "Anna", "Mila", "Bram")
    ]
    # Noor (14) and Anna (adult) follow the course; its next meeting is Tuesday 19:00.
    async with harness.app.sessions.begin() as session:
        await make_world(
            session,
            starts=[SESSION],
            leader_tg=lotte.id,
            participants=[(noor.id, "Noor", MINOR), (anna.id, "Anna", ADULT)],
            now=clock.now(),
        )
    # Mila (14) is a Citytrainer, quiet for 9 weeks (nudge due); Bram (adult) was just certified.
    await citytrainer(harness, mila, NIGHT - dt.timedelta(weeks=9), birth_date=MINOR)
    await citytrainer(harness, bram, NIGHT - dt.timedelta(days=1), birth_date=ADULT)

    # 22:30. The bot was busy elsewhere at 19:00: the evening reminder is only decided now.
    clock.set(NIGHT)
    await harness.app.sweeper.run_all()
    assert "morgen is Bijeenkomst 1" in (await anna.expect_message()).text  # adults: at once
    # A coordinator broadcasts an opportunity to every Citytrainer.
    progress = await post_opportunity(cor, title="Sportdag Noord")
    assert "naar 2 mensen" in progress.text
    assert "Kans: Sportdag Noord" in (await bram.expect_message()).text
    # Mila is awake and asks a question: the bot answers her directly; Cor's answer must wait.
    await ask(mila, "Mag ik ook helpen bij de sportdag?")
    note = await cor.expect_message()
    while "Mag ik ook helpen" not in note.text:  # the broadcast's report may come first
        note = await cor.expect_message()
    await cor.reply(note, "Ja hoor, kom maar!")
    assert "onderweg" in (await cor.expect_message()).text

    async def pending() -> list[OutboxMessage]:
        return await _rows_for(harness, [mila, noor])

    rows = await eventually(pending, lambda found: len(found) >= 4)
    keys = sorted(r.idempotency_key.split(":")[0] for r in rows)
    assert keys == ["nazorg", "op", "question", "reminder"], keys
    for row in rows:
        assert row.status == OutboxStatus.PENDING, row.idempotency_key
        assert row.not_before == EIGHT, row.idempotency_key
    await mila.expect_no_message(within=0.5)
    await noor.expect_no_message(within=0.1)

    # Sweeps again in the night (a restart, another worker): still nothing.
    clock.set(EIGHT - dt.timedelta(seconds=1))
    await harness.app.sweeper.run_all()
    await mila.expect_no_message(within=0.5)
    await noor.expect_no_message(within=0.1)

    # 08:00: everything arrives, once.
    clock.set(EIGHT)
    texts = [(await mila.expect_message(timeout=10)).text for _ in range(3)]
    assert any("Kans: Sportdag Noord" in t for t in texts), texts
    assert any("Ja hoor, kom maar!" in t for t in texts), texts
    assert any("Hoi Mila" in t for t in texts), texts
    # (rendered at 22:30, the evening reminder still says "morgen")
    assert "Bijeenkomst 1" in (await noor.expect_message(timeout=10)).text
    await mila.expect_no_message(within=0.5)
