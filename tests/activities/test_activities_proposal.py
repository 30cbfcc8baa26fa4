"""/voorstel end to end: a proposal, a question and an answer, approval, helpers, the /agenda,
the after-activity report and its figures in /cijfers; declining with a reason; bad input."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage.activities.models import Activity, ActivityStatus, ProposalMessage, ThreadSide
from storage.opportunities.models import Opportunity
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.opportunities.conftest import Seed


async def _until(user: TestUser, fragment: str, tries: int = 6) -> BotMessage:
    for _ in range(tries):
        message = await user.expect_message(timeout=10)
        if fragment in message.text:
            return message
    raise AssertionError(f"no message with {fragment!r}")


async def _until_all(user: TestUser, fragments: list[str], tries: int = 8) -> None:
    """Messages until each fragment was in one of them, in any order."""
    waiting = list(fragments)
    for _ in range(tries):
        text = (await user.expect_message(timeout=10)).text
        waiting = [f for f in waiting if f not in text]
        if not waiting:
            return
    raise AssertionError(f"no message with {waiting!r}")


async def propose(sanne: TestUser, title: str = "Voetbal op het plein") -> None:
    await sanne.send("/voorstel")
    assert "Vraag 1 van 10" in (await sanne.expect_message()).text
    await sanne.send("Vo")
    assert "kort" in (await sanne.expect_message()).text
    await sanne.send(title)
    kind = await sanne.expect_message()
    assert "Wat voor activiteit" in kind.text
    await sanne.tap(kind, "Sport")
    await sanne.expect_message()
    for answer in ("kinderen uit de wijk", "8-12", "Noord"):
        await sanne.send(answer)
        await sanne.expect_message()
    await sanne.send("Pleintje Noord")  # place
    assert "Wanneer is het?" in (await sanne.expect_message()).text
    await sanne.send("volgende week")
    assert "kan die datum niet lezen" in (await sanne.expect_message()).text
    await sanne.send("01-01-2020")
    assert "al voorbij" in (await sanne.expect_message()).text
    await sanne.send("terug")  # the place again
    assert "Waar precies?" in (await sanne.expect_message()).text
    await sanne.send("Pleintje Noord, achter de school")
    await sanne.expect_message()
    await sanne.send("14-03-2026")
    await sanne.expect_message()
    await sanne.send("veel")
    assert "heel getal" in (await sanne.expect_message()).text
    await sanne.send("20")
    needs = await sanne.expect_message()
    assert "Wat heb je nodig?" in needs.text
    await sanne.tap(needs, "materiaal")
    needs = await sanne.expect_edit(needs)
    assert "✅ materiaal" in needs.buttons
    await sanne.tap(needs, "geld")
    needs = await sanne.expect_edit(needs)
    await sanne.tap(needs, "Klaar")
    await sanne.send("Via mijn voetbalclub en de school.")
    preview = await _until(sanne, "Je voorstel:")
    assert f"Voorstel: {title}" in preview.text and "Nodig: materiaal, geld" in preview.text
    assert "Voor wie: kinderen uit de wijk (8-12)" in preview.text
    await sanne.tap(preview, "Versturen")
    assert "Verstuurd! Voorstel #" in (await sanne.expect_message()).text


async def _activity(harness: BotHarness) -> Activity | None:
    async with harness.app.sessions() as session:
        return await session.scalar(select(Activity))


async def test_proposal_question_answer_approval_report_and_figures(
    harness: BotHarness, emu: EmulatorClient, seed: Seed, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    # people here type faster than anyone could: no per-chat 429 (the clock stands still)
    await emu.set_limits(global_per_second=1000, per_chat_burst=500, per_chat_refill_per_second=200)
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await cor.send("/start")  # the coordinator is known
    await cor.expect_message()
    sanne, hans = await emu.create_user("Sanne"), await emu.create_user("Hans")
    await seed([sanne, hans], Role.CITYTRAINER)
    await propose(sanne)
    note = await cor.expect_message(timeout=10)
    assert "Voorstel #1: Voetbal op het plein" in note.text and "Van: Sanne" in note.text
    assert note.buttons == ["Goedkeuren", "Vraag stellen", "Afwijzen"]
    # a question, and the answer by reply, threaded on #1
    await cor.tap(note, "Vraag stellen")
    assert "Typ je vraag over voorstel #1" in (await cor.expect_message()).text
    await cor.send("Doet de school ook mee?")
    assert "onderweg" in (await cor.expect_message()).text
    question = await sanne.expect_message(timeout=10)
    assert "voorstel #1" in question.text and "Doet de school ook mee?" in question.text
    await sanne.reply(question, "Ja, de gymleraar helpt.")
    assert "Bedankt" in (await sanne.expect_message()).text
    answer = await cor.expect_message(timeout=10)
    assert "Antwoord van Sanne over voorstel #1" in answer.text
    assert "Ja, de gymleraar helpt." in answer.text and "Goedkeuren" in answer.buttons
    # the coordinator asks again by replying, Sanne answers with the button
    await cor.reply(answer, "Hoe laat begint het?")
    assert "onderweg" in (await cor.expect_message()).text
    second = await sanne.expect_message(timeout=10)
    await sanne.tap(second, "Antwoorden")
    assert "Typ je antwoord over voorstel #1" in (await sanne.expect_message()).text
    await sanne.send("Om 14:00 uur.")
    await sanne.expect_message()
    answer = await cor.expect_message(timeout=10)
    assert "Om 14:00 uur." in answer.text
    await cor.tap(answer, "Goedkeuren")
    assert "Voorstel #1 is goedgekeurd" in (await cor.expect_message()).text
    approved = await sanne.expect_message(timeout=10)
    assert "goedgekeurd" in approved.text and approved.buttons == ["Helpers vragen"]
    async with harness.app.sessions() as session:
        thread = list(await session.scalars(select(ProposalMessage).order_by(ProposalMessage.id)))
    assert [m.side for m in thread] == [ThreadSide.COORDINATOR, ThreadSide.CITYTRAINER] * 2
    # the agenda, and helpers through the broadcast machinery (Hans gets it, Sanne does not)
    await sanne.send("/agenda")
    agenda = await sanne.expect_message()
    assert "14-03-2026: Voetbal op het plein (sport, eigen activiteit in Noord)" in agenda.text
    await sanne.tap(approved, "Helpers vragen")
    count = await sanne.expect_message()
    await sanne.tap(count, "2")
    assert "Bezig met versturen" in (await sanne.expect_message()).text
    card = await hans.expect_message(timeout=10)
    assert "Voetbal op het plein" in card.text and "Ik doe mee" in card.buttons
    await hans.tap(card, "Ik doe mee")
    assert (await hans.expect_message(timeout=10)).text.startswith("Je doet mee met")
    # the organiser hears who joins, and the broadcast's final report (sent by the progress
    # ticker, so in either order)
    await _until_all(sanne, ["Hans doet mee met Voetbal op het plein", "Klaar: Voetbal op"])
    # after the date: the report
    manual_clock.set(dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC))
    await harness.app.sweeper.run_all()
    await harness.app.sweeper.run_all()  # a second run asks nothing again
    asked = await _until(sanne, "Hoe ging je activiteit #1")
    await sanne.tap(asked, "Ja, het ging door")
    assert "Hoeveel deelnemers" in (await sanne.expect_message()).text
    await sanne.send("heel veel")
    assert "aantal deelnemers" in (await sanne.expect_message()).text
    await sanne.send("25")
    await sanne.expect_message()
    await sanne.send("6")
    assert "foto" in (await sanne.expect_message()).text
    await sanne.send_photo(caption="Het was een mooie middag!")
    assert "25 deelnemers en 6 uur" in (await sanne.expect_message()).text
    activity = await eventually(lambda: _activity(harness), lambda a: a and a.reported_at)
    assert activity is not None and activity.happened and activity.participants == 25
    assert activity.minutes == 360 and activity.story == "Het was een mooie middag!"
    assert activity.photo_file_id
    report = await _until(cor, "Verslag van activiteit #1")
    assert "25 deelnemers, 6 uur" in report.text
    # the figures
    await cor.send("/cijfers")
    figures = await cor.expect_message()
    assert "Deelnames aan activiteiten: 25" in figures.text
    assert "Georganiseerde activiteiten: 1" in figures.text
    assert "minstens 80 uur" in figures.text and "12 maanden" in figures.text
    await cor.tap(figures, "Vorig jaar")
    last_year = await cor.expect_edit(figures)
    assert "Deelnames aan activiteiten: 0" in last_year.text
    async with harness.app.sessions() as session:
        opp = await session.scalar(select(Opportunity))
        assert opp is not None and opp.activity_id == activity.id and opp.places == 2


async def test_decline_with_a_kind_reason_and_who_may_do_what(
    harness: BotHarness, emu: EmulatorClient, seed: Seed, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    # people here type faster than anyone could: no per-chat 429 (the clock stands still)
    await emu.set_limits(global_per_second=1000, per_chat_burst=500, per_chat_refill_per_second=200)
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await cor.send("/start")  # the coordinator is known
    await cor.expect_message()
    sanne, tim = await emu.create_user("Sanne"), await emu.create_user("Tim")
    await seed([sanne], Role.CITYTRAINER)
    await seed([tim], Role.PARTICIPANT)
    await tim.send("/voorstel")
    assert "Alleen Citytrainers" in (await tim.expect_message()).text
    await sanne.send("/cijfers")
    assert "Alleen coördinatoren" in (await sanne.expect_message()).text
    await propose(sanne, "Dansles in de buurt")
    note = await cor.expect_message(timeout=10)
    await cor.tap(note, "Afwijzen")
    assert "Waarom wijs je voorstel #1 af?" in (await cor.expect_message()).text
    await cor.send("Leuk idee! Er is die dag al een dansfeest in Noord.")
    assert "afgewezen" in (await cor.expect_message()).text
    declined = await _until(sanne, "niet goedgekeurd")
    assert "Er is die dag al een dansfeest in Noord." in declined.text
    late = await cor.tap(note, "Goedkeuren")
    assert late is not None and "al beslist" in late.text
    activity = await _activity(harness)
    assert activity is not None and activity.status is ActivityStatus.DECLINED
    assert activity.decision_reason == "Leuk idee! Er is die dag al een dansfeest in Noord."


async def test_proposal_survives_a_restart(
    harness: BotHarness, emu: EmulatorClient, seed: Seed, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    # people here type faster than anyone could: no per-chat 429 (the clock stands still)
    await emu.set_limits(global_per_second=1000, per_chat_burst=500, per_chat_refill_per_second=200)
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await cor.send("/start")  # the coordinator is known
    await cor.expect_message()
    sanne = await emu.create_user("Sanne")
    await seed([sanne], Role.CITYTRAINER)
    await sanne.send("/voorstel")
    await sanne.expect_message()
    await sanne.send("Schilderen in het park")
    kind = await sanne.expect_message()
    await harness.restart()
    await sanne.tap(kind, "Cultuur")
    assert "Voor wie is het?" in (await sanne.expect_message(timeout=10)).text
