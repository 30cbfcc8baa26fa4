"""Through the emulator (issue 11, point 5): a 14-year-old with a modified client forges "Ik doe
mee" and "Meer info" for an 18+ opportunity and for another programme's opportunity. She is told
kindly it is not for her, sees nothing of the other programme's opportunity, gets no place, each
refused join is logged once without personal data, and her name reaches nobody: no outbox row,
no message to the supervisors or the coordinators."""

from __future__ import annotations

import logging

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import func, select

from domain.hours.places import OrganisationKind
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus
from domain.roles import Role
from simulator.client import EmulatorClient
from storage import people
from storage.hours import queries as hours
from storage.models import OutboxMessage, Person, Programme
from storage.opportunities.models import Opportunity, OpportunitySignup
from tests.conftest import BotHarness
from tests.opportunities.conftest import Seed


async def _outbox_rows(harness: BotHarness) -> int:
    async with harness.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_a_forged_join_is_refused_and_reaches_nobody(
    harness: BotHarness, emu: EmulatorClient, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.start()
    cor = await emu.create_user("Cor")
    sup = await emu.create_user("Sanne")
    lisa = await emu.create_user("Lisa")
    bram = await emu.create_user("Bram")
    (cor_id,) = await seed([cor], Role.COORDINATOR)
    (lisa_id,) = await seed([lisa], Role.CITYTRAINER)
    (sup_id,) = await seed([sup], Role.CITYTRAINER)
    now = harness.clock.now()
    today = now.date()
    async with harness.app.sessions.begin() as s:
        home = await s.scalar(select(Programme).order_by(Programme.id))
        assert home is not None
        oss = await people.ensure_programme(s, "Oss", "Europe/Amsterdam", now)
        org = await hours.add_organisation(
            s,
            home.id,
            name="Nachtclub",
            kind=OrganisationKind.CULTURE,
            neighbourhood=None,
            contact=None,
            now=now,
        )
        await people.grant_role(s, sup_id, home.id, Role.SUPERVISOR, now, organisation_id=org.id)
        bram_member = await people.create_member(
            s,
            programme_id=oss.id,
            channel=people.TELEGRAM,
            external_id=str(bram.id),
            chat_id=str(bram.id),
            display_name="Bram",
            first_name="Bram",
            now=now,
        )
        await people.grant_role(s, bram_member.person.id, oss.id, Role.COORDINATOR, now)
        girl = await s.get(Person, lisa_id)
        assert girl is not None
        girl.birth_date = today.replace(year=today.year - 14, day=1)
        common = {
            "places": 5,
            "track": Track.BOTH,
            "status": OpportunityStatus.OPEN,
            "created_at": now,
            "description": "Geheime omschrijving",
        }
        adult = Opportunity(
            programme_id=home.id,
            title="Nachtdienst 18+",
            min_age=18,
            created_by=cor_id,
            organisation_id=org.id,
            organisation_name="Nachtclub",
            **common,
        )
        elsewhere = Opportunity(programme_id=oss.id, title="Kermis Oss", **common)
        fine = Opportunity(programme_id=home.id, title="Kinderspelen", created_by=cor_id, **common)
        s.add_all([adult, elsewhere, fine])
        await s.flush()
        adult_id, elsewhere_id = adult.id, elsewhere.id
    rows_before = await _outbox_rows(harness)

    await lisa.send("/kansen")
    listing = await lisa.expect_message()
    assert "Kinderspelen" in str(listing.buttons) and "Nachtdienst" not in str(listing.buttons)
    assert "Kermis" not in str(listing.buttons)

    caplog.set_level(logging.INFO)
    forged = [
        f"op:join:{adult_id}:",
        f"op:join:{elsewhere_id}:",
        f"op:info:{elsewhere_id}:",
        f"op:open:{elsewhere_id}:0",
        f"op:info:{adult_id}:",
    ]
    # buttons no real message of the bot carried for her (a modified client)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d)] for d in forged]
    )
    await harness.app.bot.send_message(lisa.id, "Knoppen", reply_markup=markup)
    buttons = await lisa.expect_message()
    for data in forged:
        answer = await lisa.tap(buttons, callback_data=data)
        assert answer is not None and answer.show_alert, data
        assert answer.text == (
            "Sorry, deze kans is niet voor jou. Bij /kansen zie je de kansen die wel bij je passen."
        ), data
    await lisa.expect_no_message(within=0.5)  # no card, no confirmation
    transcript = str(await lisa.transcript())
    assert "Kermis" not in transcript and "Geheime" not in transcript
    for other in (cor, sup, bram):
        await other.expect_no_message(within=0.3)
    assert await _outbox_rows(harness) == rows_before
    async with harness.app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OpportunitySignup)) == 0
        assert set(await s.scalars(select(Opportunity.places_taken))) == {0}
    joins = [r for r in caplog.records if "join refused" in r.getMessage()]
    assert len(joins) == 2 and all(r.levelno == logging.WARNING for r in joins)
    for record in joins:  # only the opportunity and the reasons
        text = record.getMessage()
        assert "Lisa" not in text and str(lisa.id) not in text, text
        assert f"person {lisa_id}" not in text and text.startswith("opportunity "), text

    # what is for her still works
    await lisa.tap(listing, next(b for b in listing.buttons if b.startswith("Kinderspelen")))
    opened = await lisa.expect_edit(listing)
    assert "Kinderspelen" in (opened.text or "")
    await lisa.tap(opened, "Ik doe mee")
    confirmation = await lisa.expect_message(timeout=10)
    assert (confirmation.text or "").startswith("Je doet mee met Kinderspelen")
