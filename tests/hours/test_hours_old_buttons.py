"""Buttons already on people's phones, and forged ones, pressed through the emulator.

The callback data of the hours feature is typed (`bot.features.hours.callbacks`); data that no
longer parses (an unknown action, a wrong number of parts, a value that is not a number) must
not raise: no filter matches and the fallback router answers that the button no longer works.
The bot keeps working afterwards.
"""

from __future__ import annotations

from bot.features.hours.callbacks import DecisionAction
from bot.features.hours.common import signed
from domain.hours.practice import LogStatus
from tests.hours.conftest import World

NO_LONGER_WORKS = "Deze knop werkt niet meer. Typ /help om te zien wat je kunt doen."


async def test_unparsable_buttons_get_the_friendly_answer_and_the_bot_keeps_working(
    world: World,
) -> None:
    await world.log_hours("2")
    log_id = (await world.last_log()).id
    await world.ans.expect_message()  # the supervisor's note
    sig = signed(world.harness.app.settings, DecisionAction.CONFIRM, log_id).rsplit(":", 1)[1]
    old = [
        f"hv:ok:{log_id}:{sig}",  # an action that does not exist (any more)
        f"hv:c:{log_id}",  # a part missing
        f"hv:c:{log_id}:{sig}:1",  # a part too many
        f"hv:c:twelve:{sig}",  # not a log id
        "hr:l-zz:0",
        "hr:l-new:0:1",
        "hr:l-d:yesterday",
        "hr",
    ]
    message = await world.buttons(world.ans, old)
    for n, data in enumerate(old):
        answer = await world.ans.tap(message, f"knop {n}")
        assert answer is not None, data
        assert answer.text == NO_LONGER_WORKS and answer.show_alert, data
    await world.log_status(log_id, LogStatus.PENDING)  # nothing was decided
    # the bot keeps working: the real button still decides
    await world.ans.send("/begeleiden")
    digest = await world.expect(world.ans, "Wacht op jou (1)")
    answer = await world.ans.tap(digest, "Alles bevestigen")
    assert answer is not None and "Bevestigd: 1 keer uren" in (answer.text or "")
    await world.log_status(log_id, LogStatus.CONFIRMED)


async def test_old_but_valid_payloads_still_work(world: World) -> None:
    """The packed values did not change: a /uren button of an ended flow says so, and a
    signed decision button made by hand the old way still decides."""
    await world.log_hours("1")
    log_id = (await world.last_log()).id
    await world.ans.expect_message()
    settings = world.harness.app.settings
    sig = signed(settings, DecisionAction.CONFIRM, log_id).rsplit(":", 1)[1]
    message = await world.buttons(world.sam, ["hr:l-ok:0"])
    answer = await world.sam.tap(message, "knop 0")
    assert answer is not None and answer.text == (
        "Deze vraag is gesloten. Typ /uren om opnieuw te beginnen."
    )
    message = await world.buttons(world.ans, [f"hv:c:{log_id}:{sig}"])
    answer = await world.ans.tap(message, "knop 0")
    assert answer is not None and "Bevestigd: 1 uur van Sam" in (answer.text or "")
    await world.log_status(log_id, LogStatus.CONFIRMED)


async def test_a_forged_signature_with_any_characters_is_refused(world: World) -> None:
    await world.log_hours("1")
    log_id = (await world.last_log()).id
    await world.ans.expect_message()
    message = await world.buttons(world.ans, [f"hv:c:{log_id}:éééééé", f"hv:c:{log_id}:x"])
    for n in range(2):
        answer = await world.ans.tap(message, f"knop {n}")
        assert answer is not None and answer.text == "Deze knop is niet geldig.", n
    await world.ans.send("/begeleiden")  # still working, and still waiting
    assert "Wacht op jou (1)" in ((await world.expect(world.ans, "Wacht op jou")).text or "")
    await world.log_status(log_id, LogStatus.PENDING)
