"""A full group and the waiting list moving up; an invite link; /mijngegevens and /verwijderen."""

from __future__ import annotations

import datetime as dt
import json

from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient, TestUser
from storage.models import ChannelIdentity, Person
from storage.signup.models import Enrolment, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import count, expect_text, fast, first, make_cohort, sign_up, tap


async def _signed_up(user: TestUser, cor: TestUser) -> None:
    summary = await sign_up(user)
    await tap(user, summary, "Klopt, versturen", "verstuurd")


async def test_full_group_waiting_list_moves_up_and_verwijderen_keeps_counts(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await make_cohort(harness, capacity=1)
    ann = await emu.create_user("Ann")
    bob = await emu.create_user("Bob")
    await _signed_up(ann, cor)
    note_ann = await expect_text(cor, "Nieuwe aanmelding")
    await _signed_up(bob, cor)
    note_bob = await expect_text(cor, "Nieuwe aanmelding")
    await cor.tap(note_ann, "Plaatsen in een groep")
    groups = await cor.expect_message()
    await cor.tap(groups, groups.buttons[0])
    await cor.expect_message()
    assert "plek in groep" in (await ann.expect_message()).text
    await cor.tap(note_bob, "Plaatsen in een groep")
    groups = await cor.expect_message()
    assert "(1/1)" in groups.buttons[0]
    await cor.tap(groups, groups.buttons[0])
    full = await cor.expect_message()
    assert "is vol" in full.text
    await cor.tap(full, full.buttons[0])
    assert "nummer 1 van de wachtlijst" in (await cor.expect_message()).text
    assert "wachtlijst (nummer 1)" in (await bob.expect_message()).text
    # /mijngegevens: a message and a JSON document
    await ann.send("/mijngegevens")
    mine = await ann.expect_message()
    assert "Wat we over je bewaren" in mine.text and "5211 AB" in mine.text
    document = await ann.expect_message()
    data = json.loads(await emu.download(document))
    assert data["person"]["postcode"] == "5211 AB" and data["signups"][0]["status"] == "placed"
    # /verwijderen: Ann leaves, her place goes to Bob
    await ann.send("/verwijderen")
    confirm = await ann.expect_message()
    await tap(ann, confirm, "Ja, verwijder mijn gegevens", "gegevens zijn verwijderd")
    await eventually(lambda: count(harness, ChannelIdentity), lambda n: n == 2)
    await harness.app.sweeper.run_all()
    offer = await bob.expect_message()
    assert "plek vrij in groep Groep A" in offer.text
    await bob.tap(offer, "Ja, ik wil de plek")
    assert "plek in groep" in (await bob.expect_message()).text
    await expect_text(cor, "aangenomen")
    enrolment = await eventually(
        lambda: first(harness, Enrolment, Enrolment.status == "placed"), lambda e: e is not None
    )
    assert enrolment is not None
    # the figures still count Ann, anonymously
    assert await count(harness, Signup) == 2
    ann_signup = await first(harness, Signup, Signup.anonymised_at.is_not(None))
    assert ann_signup.motivation is None and ann_signup.track == "sport"
    assert await count(harness, Person, Person.anonymised_at.is_not(None)) == 1
    assert await count(harness, Person, Person.postcode == "5211 AB") == 1


async def test_an_offer_lapses_after_its_time_limit(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    cohort_id = await make_cohort(harness, capacity=1)
    bob = await emu.create_user("Bob")
    await _signed_up(bob, cor)
    note = await expect_text(cor, "Nieuwe aanmelding")
    await cor.tap(note, "Wachtlijst")
    groups = await cor.expect_message()
    await cor.tap(groups, groups.buttons[0])
    await cor.expect_message()
    await bob.expect_message()
    await harness.app.sweeper.run_all()
    offer = await bob.expect_message()
    assert "plek vrij" in offer.text
    manual_clock.advance(dt.timedelta(hours=49))
    await harness.app.sweeper.run_all()
    assert "niet op tijd geantwoord" in (await bob.expect_message()).text
    answer = await bob.tap(offer, "Ja, ik wil de plek")
    assert answer is not None and "verlopen" in (answer.text or "")
    assert (
        await count(
            harness, Enrolment, Enrolment.cohort_id == cohort_id, Enrolment.status == "placed"
        )
        == 0
    )


async def test_an_invite_link_preselects_the_group(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await make_cohort(harness, name="Groep Noord")
    await cor.send("/uitnodiging")
    pick = await expect_text(cor, "Voor welke groep")
    uses = await tap(cor, pick, "Groep Noord", "Hoeveel mensen")
    link = await tap(cor, uses, "1", "Uitnodigingslink voor groep Groep Noord")
    payload = link.text.split("start=")[1].split()[0]
    assert payload.startswith("g-") and len(payload) <= 64
    # the QR code of the same link, to print on a flyer
    qr = await cor.expect_message()
    assert qr.kind == "photo" and "flyer" in (qr.text or "") and "Groep Noord" in (qr.text or "")
    png = await emu.download(qr)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200
    lisa = await emu.create_user("Lisa")
    summary = await sign_up(lisa, start=f"/start {payload}")
    await tap(lisa, summary, "Klopt, versturen", "verstuurd")
    note = await expect_text(cor, "Nieuwe aanmelding")
    assert "uitnodiging voor groep Groep Noord" in note.text
    await cor.tap(note, "Plaatsen in een groep")
    groups = await cor.expect_message()
    assert groups.buttons[0].startswith("★ Groep Noord")
    # the link had one use
    kim = await emu.create_user("Kim")
    await kim.send(f"/start {payload}")
    assert "werkt niet (meer)" in (await kim.expect_message()).text
    # the coordinator sees the mix with small cells hidden
    await cor.send("/groepen")
    mix = await expect_text(cor, "Groep Noord")
    assert "Groep Noord" in mix.text and "0/15" in mix.text
