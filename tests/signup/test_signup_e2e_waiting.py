"""The waiting list per track: a place freed in one sport group goes to the first sport waiter of
any group; a free culture place is never offered to a sport waiter."""

from __future__ import annotations

from sqlalchemy import update

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage.models import ChannelIdentity
from storage.signup.models import Enrolment
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import count, expect_text, fast, fill, make_cohort, sign_up, tap


async def test_a_sport_waiter_of_group_a_gets_the_freed_place_in_group_b(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    sport_a = await make_cohort(harness, name="Sport Noord", capacity=1)
    sport_b = await make_cohort(harness, name="Sport Zuid", capacity=1)
    culture = await make_cohort(harness, name="Cultuur West", capacity=1, track="culture")
    await fill(harness, sport_a)
    ann, bob = await emu.create_user("Ann"), await emu.create_user("Bob")
    for user in (ann, bob):
        await tap(user, await sign_up(user), "Klopt, versturen", "verstuurd")
    note_ann = await expect_text(cor, "Nieuwe aanmelding")
    note_bob = await expect_text(cor, "Nieuwe aanmelding")
    # Ann gets the last place in Sport Zuid; Bob waits for Sport Noord
    groups = await tap(cor, note_ann, "Plaatsen in een groep", "In welke groep")
    await tap(cor, groups, groups.buttons[1], "geplaatst in groep Sport Zuid")
    assert "plek in groep" in (await ann.expect_message()).text
    groups = await tap(cor, note_bob, "Wachtlijst", "Op de wachtlijst van welke groep")
    assert groups.buttons[0] == "Sport Noord (1/1)"
    await tap(cor, groups, groups.buttons[0], "nummer 1 van de wachtlijst van Sport Noord")
    assert "wachtlijst (nummer 1)" in (await bob.expect_message()).text
    # the free culture place is not offered to Bob, who waits for sport
    await harness.app.sweeper.run_all()
    assert await count(harness, Enrolment, Enrolment.status == "offered") == 0
    assert await count(harness, Enrolment, Enrolment.cohort_id == culture) == 0
    # Ann leaves: her place in Sport Zuid goes to Bob, first in line for sport
    await ann.send("/verwijderen")
    confirm = await ann.expect_message()
    await tap(ann, confirm, "Ja, verwijder mijn gegevens", "gegevens zijn verwijderd")
    await eventually(lambda: count(harness, ChannelIdentity), lambda n: n == 2)
    await harness.app.sweeper.run_all()
    offer = await expect_text(bob, "plek vrij in groep Sport Zuid")
    assert "wachtlijst van Sport Noord" in offer.text and "Zeg je nee?" in offer.text
    await bob.tap(offer, "Ja, ik wil de plek")
    assert "plek in groep Sport Zuid" in (await bob.expect_message()).text
    await expect_text(cor, "Bob heeft de vrije plek in groep Sport Zuid aangenomen")
    await eventually(
        lambda: count(
            harness, Enrolment, Enrolment.cohort_id == sport_b, Enrolment.status == "placed"
        ),
        lambda n: n == 1,
    )
    # Bob left the list of Sport Noord; nothing more is offered
    assert (
        await count(
            harness, Enrolment, Enrolment.cohort_id == sport_a, Enrolment.status == "waiting"
        )
        == 0
    )
    await harness.app.sweeper.run_all()
    assert await count(harness, Enrolment, Enrolment.status == "offered") == 0


async def test_saying_no_to_another_group_keeps_the_place_on_the_own_list(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    sport_a = await make_cohort(harness, name="Sport Noord", capacity=1)
    sport_b = await make_cohort(harness, name="Sport Zuid", capacity=1)
    await fill(harness, sport_a)
    await fill(harness, sport_b)
    bob = await emu.create_user("Bob")
    await tap(bob, await sign_up(bob), "Klopt, versturen", "verstuurd")
    note = await expect_text(cor, "Nieuwe aanmelding")
    groups = await tap(cor, note, "Wachtlijst", "Op de wachtlijst van welke groep")
    await tap(cor, groups, groups.buttons[0], "wachtlijst van Sport Noord")
    await bob.expect_message()
    async with harness.app.sessions.begin() as session:  # someone leaves Sport Zuid
        await session.execute(
            update(Enrolment).where(Enrolment.cohort_id == sport_b).values(status="withdrawn")
        )
    await harness.app.sweeper.run_all()
    offer = await expect_text(bob, "plek vrij in groep Sport Zuid")
    await bob.tap(offer, "Nee, bedankt")
    assert "Je blijft op de wachtlijst van Sport Noord" in (await bob.expect_message()).text
    await expect_text(cor, "Bob wil de vrije plek in groep Sport Zuid niet")
    # Sport Zuid is not offered to Bob again; he is still waiting for Sport Noord
    await harness.app.sweeper.run_all()
    await bob.expect_no_message(within=0.3)
    assert (
        await count(
            harness, Enrolment, Enrolment.cohort_id == sport_a, Enrolment.status == "waiting"
        )
        == 1
    )
