"""Supervisors decide through the real bot: buttons, replies, races, rights, forged data."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.features.hours.callbacks import DecisionAction
from bot.features.hours.common import signed
from domain.hours.practice import LogStatus
from storage.hours.models import PracticeHoursChange
from tests.hours.conftest import World


async def _supervisor_note(world: World, amount: str = "2") -> tuple[int, object]:
    await world.log_hours(amount)
    note = await world.ans.expect_message()
    assert "Uren van Sam bij Voetbalclub Rosmalen" in note.text
    assert note.buttons == ["Bevestigen", "Aanpassen", "Afwijzen"]
    return (await world.last_log()).id, note


async def test_confirm_by_button_double_tap_changes_nothing(world: World) -> None:
    log_id, note = await _supervisor_note(world)
    answer, again = await asyncio.gather(  # a double tap
        world.ans.tap(note, "Bevestigen"), world.ans.tap(note, "Bevestigen")
    )
    assert answer is not None and "Bevestigd: 2 uur van Sam" in answer.text
    assert again is not None and "Al bevestigd door Ans" in again.text
    assert "bevestigd" in (await world.sam.expect_message()).text
    await world.log_status(log_id, LogStatus.CONFIRMED)
    await world.sam.expect_no_message(0.3)
    await world.sam.send("/uren")
    overview = (await world.sam.expect_message()).text
    assert "2 uur, bevestigd" in overview and "Bevestigd: 2 van 15 uur" in overview


async def test_two_supervisors_racing_exactly_one_wins(world: World) -> None:
    bert = await world.emu.create_user("Bert")
    await world.make_supervisor(bert)
    log_id, note_ans = await _supervisor_note(world)
    note_bert = await bert.expect_message()
    answers = await asyncio.gather(
        world.ans.tap(note_ans, "Bevestigen"),
        bert.tap(note_bert, "Bevestigen"),
        world.ans.tap(note_ans, "Afwijzen"),
    )
    texts = [a.text if a else "" for a in answers]
    assert sum("Bevestigd:" in t for t in texts) == 1, texts
    assert sum(t.startswith("Al bevestigd door") for t in texts) == 2, texts
    await world.log_status(log_id, LogStatus.CONFIRMED)
    async with world.harness.app.sessions() as session:
        changes = list(
            await session.scalars(
                select(PracticeHoursChange).where(PracticeHoursChange.log_id == log_id)
            )
        )
    assert [c.new_status for c in changes] == [LogStatus.PENDING, LogStatus.CONFIRMED]


async def test_adjust_and_reject_by_button(world: World) -> None:
    log_id, note = await _supervisor_note(world, "2")
    await world.ans.tap(note, "Aanpassen")
    assert "Hoeveel uur klopt?" in (await world.ans.expect_message()).text
    await world.ans.send("veel")
    assert "begrijp ik niet" in (await world.ans.expect_message()).text
    await world.ans.send("1:15")
    assert "Aangepast naar 1,25 uur" in (await world.ans.expect_message()).text
    assert "aangepast naar 1,25 uur" in (await world.sam.expect_message()).text
    log = await world.log_status(log_id, LogStatus.CORRECTED)
    assert log.minutes == 75 and log.logged_minutes == 120

    log_id, note = await _supervisor_note(world, "3")
    await world.ans.tap(note, "Afwijzen")
    assert "Waarom wijs je" in (await world.ans.expect_message()).text
    await world.ans.reply(note, "Sam was er die dag niet")
    assert "Afgewezen" in (await world.ans.expect_message()).text
    told = (await world.sam.expect_message()).text
    assert "niet bevestigd" in told and "Sam was er die dag niet" in told and "/uren" in told
    await world.log_status(log_id, LogStatus.REJECTED)


async def test_every_kind_of_reply(world: World) -> None:
    for word in ("ok", "ja", "akkoord", "klopt", "👍"):
        log_id, note = await _supervisor_note(world, "1")
        await world.ans.reply(note, word)
        assert "Bevestigd: 1 uur van Sam" in (await world.ans.expect_message()).text, word
        await world.log_status(log_id, LogStatus.CONFIRMED)
        await world.sam.expect_message()
    log_id, note = await _supervisor_note(world, "2")
    await world.ans.reply(note, "nee")
    assert "Wil je deze uren afwijzen?" in (await world.ans.expect_message()).text
    await world.ans.reply(note, "misschien later")
    assert "Wat bedoel je?" in (await world.ans.expect_message()).text
    await world.ans.reply(note, "20")
    assert "te veel" in (await world.ans.expect_message()).text
    await world.ans.reply(note, "1,5")
    assert "Aangepast naar 1,5 uur" in (await world.ans.expect_message()).text
    log = await world.log_status(log_id, LogStatus.CORRECTED)
    assert log.minutes == 90
    await world.ans.reply(note, "ok")
    assert "Al aangepast door Ans" in (await world.ans.expect_message()).text


async def test_trainee_cannot_confirm_own_log_and_forged_data_is_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.make_supervisor(world.sam)  # Sam also supervises at the same place
    await world.log_hours("2")
    log_id = (await world.last_log()).id
    await world.ans.expect_message()  # the note to the real supervisor
    await world.sam.expect_no_message(0.3)  # no message to confirm their own hours
    await world.sam.send("/begeleiden")
    assert "Er wachten geen uren op jou" in (await world.sam.expect_message()).text
    settings = world.harness.app.settings
    caplog.set_level(logging.INFO)
    # buttons no real message of the bot carried for them (a modified client)
    own = await world.buttons(world.sam, [signed(settings, DecisionAction.CONFIRM, log_id)])
    answer = await world.sam.tap(own, "knop 0")
    assert answer is not None and answer.text == "Over deze uren kun jij niet beslissen."
    assert "refused button by person" in caplog.text
    forged = await world.buttons(
        world.ans, [f"hv:c:{log_id}:AAAAAAAAAAAA", f"hv:x:{log_id}:AAAAAAAAAAAA"]
    )
    answer = await world.ans.tap(forged, "knop 0")
    assert answer is not None and answer.text == "Deze knop is niet geldig."
    assert "refused forged callback" in caplog.text
    answer = await world.ans.tap(forged, "knop 1")  # an action that does not exist
    assert answer is not None and "Deze knop werkt niet meer" in (answer.text or "")
    await world.log_status(log_id, LogStatus.PENDING)
    # after a restart, a second supervisor's reply to an old message still decides
    bert = await world.emu.create_user("Bert")
    await world.make_supervisor(bert)
    await world.log_hours("1")
    await world.ans.expect_message()
    bert_note = await bert.expect_message()
    await world.harness.stop()
    await world.harness.start()
    await bert.reply(bert_note, "ok")
    assert "Bevestigd" in (await bert.expect_message()).text
