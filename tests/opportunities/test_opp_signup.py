""" "Ik doe mee": never more places than exist, a waiting list, cancel and move up; /kansen."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.opportunities.status import SignupStatus
from domain.roles import Role
from simulator.client import EmulatorClient
from storage.opportunities.models import Opportunity, OpportunitySignup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.opportunities.conftest import many_users, post_opportunity

PLACED, WAITING, CANCELLED = SignupStatus.PLACED, SignupStatus.WAITING, SignupStatus.CANCELLED


async def _signups(harness: BotHarness) -> Counter[SignupStatus]:
    async with harness.app.sessions() as session:
        return Counter(s.status for s in await session.scalars(select(OpportunitySignup)))


async def test_30_people_tap_at_once_on_10_places(
    harness: BotHarness, emu: EmulatorClient, seed, engine: AsyncEngine
):
    """On SQLite and on PostgreSQL (the `engine` fixture runs the test on both)."""
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], engine=engine)
    users = await many_users(emu, 30)
    await seed(users, Role.CITYTRAINER)
    await post_opportunity(cor, title="Buurtfeest", places=10)
    cards = [await user.expect_message(timeout=10) for user in users]
    answers = await asyncio.gather(
        *(
            user.tap(card, "Ik doe mee", answer_timeout=15)
            for user, card in zip(users, cards, strict=True)
        )
    )
    assert all(a is not None for a in answers)
    # confirmations come through the outbox (one a second per chat, 25 a second overall)
    replies = [await user.expect_message(timeout=30) for user in users]
    placed = [r for r in replies if r.text.startswith("Je doet mee met")]
    waiting = [r for r in replies if "wachtlijst" in r.text]
    assert len(placed) == 10 and len(waiting) == 20
    positions = sorted(int(r.text.split("op plek ")[1].split()[0]) for r in waiting)
    assert positions == list(range(1, 21))
    assert all(r.buttons == ["Afmelden"] for r in replies)
    assert await eventually(lambda: _signups(harness), lambda c: c[PLACED] == 10) == Counter(
        {PLACED: 10, WAITING: 20}
    )
    async with harness.app.sessions() as session:
        opp = await session.scalar(select(Opportunity))
        assert opp is not None and opp.places_taken == 10
    # the coordinator hears of every place given, and of nothing else
    notes = [await cor.expect_message(timeout=30) for _ in range(11)]  # and the final report
    assert sum("doet mee met Buurtfeest" in n.text for n in notes) == 10
    await cor.expect_no_message(within=0.5)


async def test_cancel_moves_the_first_waiting_person_up(
    harness: BotHarness, emu: EmulatorClient, seed
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    ann, bo, cas = await many_users(emu, 3, prefix="P")
    await seed([ann, bo, cas], Role.CITYTRAINER)
    await post_opportunity(cor, title="Dansavond", places=1, when="12-12-2099 19:00")
    replies = {}
    for user in (ann, bo, cas):
        card = await user.expect_message(timeout=10)
        assert "12-12-2099 19:00" in card.text
        await user.tap(card, "Ik doe mee")
        replies[user.id] = await user.expect_message()
    assert replies[ann.id].text.startswith("Je doet mee met Dansavond")
    assert "op plek 1 van de wachtlijst" in replies[bo.id].text
    assert "op plek 2 van de wachtlijst" in replies[cas.id].text
    assert (
        "P0 doet mee met Dansavond (1 van de 1 plekken bezet)"
        in (await cor.expect_message(timeout=10)).text
    )
    await ann.tap(replies[ann.id], "Afmelden")
    assert "Je bent afgemeld voor Dansavond" in (await ann.expect_message()).text
    assert (await ann.expect_edit(replies[ann.id])).buttons == []  # no second cancel
    moved = await bo.expect_message(timeout=10)
    assert "plek vrijgekomen bij Dansavond" in moved.text and moved.buttons == ["Afmelden"]
    note = await cor.expect_message(timeout=10)
    while "afgemeld" not in note.text:
        note = await cor.expect_message(timeout=10)
    assert "De eerste op de wachtlijst heeft de plek gekregen" in note.text
    counts = await eventually(lambda: _signups(harness), lambda c: c[CANCELLED] == 1)
    assert counts == Counter({PLACED: 1, WAITING: 1, CANCELLED: 1})
    # Cas, still waiting, cancels: the places stay as they are
    await cas.tap(replies[cas.id], "Afmelden")
    assert "afgemeld" in (await cas.expect_message()).text
    counts = await eventually(lambda: _signups(harness), lambda c: c[CANCELLED] == 2)
    assert counts == Counter({PLACED: 1, CANCELLED: 2})


async def test_kansen_lists_pages_and_joins(harness: BotHarness, emu: EmulatorClient, seed):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    dua = await emu.create_user("Dua")
    await seed([dua], Role.CITYTRAINER)
    await post_opportunity(cor, title="Kans nummer 0", places=2)
    await dua.expect_message(timeout=10)
    async with harness.app.sessions.begin() as session:  # six more, as if posted earlier
        first = await session.scalar(select(Opportunity))
        assert first is not None
        for n in range(1, 7):
            session.add(
                Opportunity(
                    **{
                        c.key: getattr(first, c.key)
                        for c in Opportunity.__table__.c
                        if c.key != "id"
                    }
                    | {"title": f"Kans nummer {n}"}
                )
            )
    await dua.send("/kansen")
    listing = await dua.expect_message()
    assert "Open kansen (1-5 van 7)" in listing.text
    assert "Volgende »" in listing.buttons
    await dua.tap(listing, "Volgende »")
    second = await dua.expect_edit(listing)
    assert "Open kansen (6-7 van 7)" in second.text and "« Vorige" in second.buttons
    button = next(b for b in second.buttons if b.startswith("Kans nummer 6"))
    await dua.tap(second, button)
    opened = await dua.expect_edit(second)
    assert "Kans: Kans nummer 6" in opened.text and "Ik doe mee" in opened.buttons
    await dua.tap(opened, "Ik doe mee")
    assert (await dua.expect_message()).text.startswith("Je doet mee met")
