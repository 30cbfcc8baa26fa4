"""Invite and placement, reminders and escalation on a controlled clock, coordinator correction
with history, the digest and reaching 15 hours: all through the real bot."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from domain.hours.practice import HoursKind, LogStatus
from domain.roles import Role
from storage import people
from storage.hours import queries as hours
from storage.hours.models import PracticeHours, SupervisorInvite
from tests.e2e.helpers import eventually
from tests.hours.conftest import World


async def test_invite_and_placement(world: World) -> None:
    cor = world.cor
    await cor.send("/organisatie")
    listing = await world.expect(cor, "Organisaties")
    await cor.tap(listing, "Nieuwe organisatie")
    assert "Hoe heet de organisatie?" in (await cor.expect_message()).text
    await cor.send("x")
    assert "2 tot 120 tekens" in (await cor.expect_message()).text
    await cor.send("Theater <De Klomp>")
    kinds = await cor.expect_message()
    await cor.send("cultuur")
    assert "knoppen" in (await cor.expect_message()).text
    await cor.tap(kinds, "cultuur")
    assert "welke wijk" in (await cor.expect_message()).text
    await cor.send("-")
    assert "contactpersoon" in (await cor.expect_message()).text
    await cor.send("Kees, 06-11111111")
    saved = await cor.expect_message()
    assert "Opgeslagen: Theater <De Klomp>" in saved.text
    await cor.tap(saved, "Begeleider uitnodigen")
    link = (await cor.expect_message()).text
    payload = re.search(r"start=(s-[A-Za-z0-9_-]+)", link)
    assert payload is not None and len(payload.group(1)) <= 64
    kees = await world.emu.create_user("Kees")
    await kees.send(f"/start {payload.group(1)}")
    assert (
        "Je bent nu praktijkbegeleider bij Theater <De Klomp>" in (await kees.expect_message()).text
    )
    await world.expect(cor, "Kees is nu praktijkbegeleider")
    # single use, and stored only as a hash
    eve = await world.emu.create_user("Eve")
    await eve.send(f"/start {payload.group(1)}")
    assert "werkt niet (meer)" in (await eve.expect_message()).text
    async with world.harness.app.sessions() as session:
        stored = list(await session.scalars(select(SupervisorInvite.token_hash)))
    assert payload.group(1)[2:] not in stored and hours.hash_token(payload.group(1)[2:]) in stored
    # an invite expires after 7 days
    await cor.send("/organisatie")
    listing = await world.expect(cor, "Organisaties")
    await cor.tap(listing, "Begeleider uitnodigen: Theater <De Klomp>")
    late = re.search(r"start=(s-[A-Za-z0-9_-]+)", (await cor.expect_message()).text)
    assert late is not None
    world.clock.advance(dt.timedelta(days=7, minutes=1))
    await eve.send(f"/start {late.group(1)}")
    assert "werkt niet (meer)" in (await eve.expect_message()).text

    # placement with a warm handover
    tim = await world.emu.create_user("Tim")
    await tim.send("/start")
    await tim.expect_message()
    tim_id = await world.person_id(tim)
    async with world.harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        await people.grant_role(session, tim_id, prog.id, Role.PARTICIPANT, world.clock.now())
    await cor.send("/organisatie")
    listing = await world.expect(cor, "Organisaties")
    await cor.tap(listing, "Deelnemer plaatsen: Theater <De Klomp>")
    who = await cor.expect_message()
    await cor.tap(who, "Tim")
    track = await cor.expect_message()
    await cor.tap(track, "Ik maak mijn stad (cultuur)")
    assert "wat motiveert" in (await cor.expect_message()).text
    await cor.send("Wil graag <theater> maken")
    confirm = await cor.expect_message()
    assert "Tim plaatsen bij Theater <De Klomp>, met Kees" in confirm.text
    await cor.tap(confirm, "Plaatsen")
    assert "Klaar: Tim is geplaatst" in (await cor.expect_message()).text
    intro = (await kees.expect_message()).text
    assert "nieuwe deelnemer: Tim" in intro and "Wil graag <theater> maken" in intro
    assert "Ik maak mijn stad" in intro
    hello = (await tim.expect_message()).text
    assert "ervaringsplek: Theater <De Klomp>" in hello and "praktijkbegeleider is Kees" in hello


async def test_reminders_escalation_and_coordinator_correction(world: World) -> None:
    await world.log_hours("2")
    log_id = (await world.last_log()).id
    await world.ans.expect_message()
    sweeper = world.harness.app.sweeper
    world.clock.advance(dt.timedelta(days=2, hours=23))
    await sweeper.run_all()
    await world.ans.expect_no_message(0.3)
    world.clock.advance(dt.timedelta(hours=1))
    await sweeper.run_all()
    await sweeper.run_all()  # twice: still one reminder
    first = await world.ans.expect_message()
    assert "Herinnering" in first.text and first.buttons == ["Bevestigen", "Aanpassen", "Afwijzen"]
    await world.ans.expect_no_message(0.3)
    world.clock.advance(dt.timedelta(days=4))
    await sweeper.run_all()
    assert "Herinnering" in (await world.ans.expect_message()).text
    await world.sam.send("/uren")
    assert "wacht op bevestiging (sinds 02-03)" in (await world.sam.expect_message()).text
    world.clock.advance(dt.timedelta(days=3))
    await sweeper.run_all()
    await sweeper.run_all()
    escalated = await world.expect(world.cor, "wachten al 10 dagen")
    assert "Uren van Sam" in escalated.text
    answer = await world.cor.tap(escalated, "Bevestigen")
    assert answer is not None and "Bevestigd" in answer.text
    assert "bevestigd" in (await world.sam.expect_message()).text
    await world.log_status(log_id, LogStatus.CONFIRMED)
    # locked: the supervisor's old button no longer changes it
    old = await world.ans.tap(first, "Afwijzen")
    assert old is not None and "Al bevestigd door Cor" in old.text
    # a coordinator corrects it, with a reason; the history is kept
    await world.expect(world.cor, "Bevestigd")
    await world.cor.send(f"/corrigeer {log_id}")
    shown = (await world.expect(world.cor, "Geschiedenis")).text
    assert "Hoeveel uur klopt?" in shown
    await world.cor.send("1")
    await world.expect(world.cor, "Waarom corrigeer")
    await world.cor.send("Was maar een uur")
    await world.expect(world.cor, "Gecorrigeerd naar 1 uur")
    told = (await world.sam.expect_message()).text
    assert "aangepast naar 1 uur" in told and "Was maar een uur" in told
    async with world.harness.app.sessions() as session:
        changes = await hours.history(session, log_id)
    assert [(c.old_status, c.new_status, c.old_minutes, c.new_minutes) for c in changes] == [
        (None, LogStatus.PENDING, None, 120),
        (LogStatus.PENDING, LogStatus.CONFIRMED, 120, 120),
        (LogStatus.CONFIRMED, LogStatus.CORRECTED, 120, 60),
    ]
    assert changes[-1].reason == "Was maar een uur"


async def test_digest_confirms_all_and_15_hours_are_reached(world: World) -> None:
    sam_id = await world.person_id(world.sam)
    async with world.harness.app.sessions.begin() as session:
        for days in range(1, 8):  # 14 confirmed hours earlier
            session.add(
                PracticeHours(
                    programme_id=1,
                    person_id=sam_id,
                    organisation_id=world.org_id,
                    work_date=dt.date(2026, 3, 2) - dt.timedelta(days=days),
                    minutes=120,
                    logged_minutes=120,
                    status=LogStatus.CONFIRMED,
                    kind=HoursKind.PRACTICE,
                    created_at=world.clock.now(),
                    decided_at=world.clock.now(),
                    reminder_step=0,
                )
            )
    await world.log_hours("0,5")
    await world.log_hours("30 min", day="Gisteren")
    await world.ans.expect_message()
    await world.ans.expect_message()
    await world.ans.send("/begeleiden")
    digest = await world.ans.expect_message()
    assert "Wacht op jou (2)" in digest.text
    answer = await world.ans.tap(digest, "Alles bevestigen")
    assert answer is not None and "Bevestigd: 2 keer uren" in answer.text
    await world.ans.expect_message()
    texts = [(await world.sam.expect_message()).text for _ in range(3)]
    assert any("Goed nieuws: je hebt 15 bevestigde praktijkuren" in t for t in texts), texts
    await world.expect(world.cor, "Sam heeft 15 bevestigde praktijkuren gehaald")
    await world.ans.send("/begeleiden")
    assert "Er wachten geen uren op jou" in (await world.ans.expect_message()).text

    async def counted() -> int:
        async with world.harness.app.sessions() as session:
            return await hours.counted_minutes(session, sam_id)

    await eventually(counted, lambda total: total == 900)
