"""Placing a trainee: the trainee and the supervisor a coordinator taps are checked again against
what the bot offered (same programme, the right roles, the organisation's supervisors), also when
"Plaatsen" is tapped. A forged button gets "Deze knop werkt niet meer" and changes nothing."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.hours.places import OrganisationKind
from domain.roles import Role
from storage import migrate, people
from storage.db import create_session_factory
from storage.hours import queries as hours
from storage.hours.models import Placement
from storage.models import RoleGrant
from tests.e2e.helpers import eventually
from tests.hours.conftest import World

STALE = "Deze knop werkt niet meer"


async def placements(world: World) -> list[tuple[int, int | None]]:
    async with world.harness.app.sessions() as session:
        rows = await session.execute(select(Placement.person_id, Placement.supervisor_id))
        return [(p, s) for p, s in rows.all()]


async def test_a_trainee_or_supervisor_that_was_not_offered_is_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    cor, clock = world.cor, world.clock
    tim, kees = await world.emu.create_user("Tim"), await world.emu.create_user("Kees")
    await tim.send("/start")
    await tim.expect_message()
    await world.make_supervisor(kees)
    tim_id, kees_id = await world.person_id(tim), await world.person_id(kees)
    ans_id, sam_id, cor_id = [await world.person_id(u) for u in (world.ans, world.sam, cor)]
    async with world.harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        await people.grant_role(session, tim_id, prog.id, Role.PARTICIPANT, clock.now())
        # a participant and a supervisor of another municipality
        other = await people.ensure_programme(session, "Anderdorp", "Europe/Amsterdam", clock.now())
        otto = await people.create_member(
            session, programme_id=other.id, channel=people.TELEGRAM, external_id="777001",
            chat_id="777001", display_name="Otto", first_name="Otto", now=clock.now(),
        )  # fmt: skip
        await people.grant_role(session, otto.person.id, other.id, Role.PARTICIPANT, clock.now())
        elsewhere = await hours.add_organisation(
            session, other.id, name="Club Elders", kind=OrganisationKind.SPORT,
            neighbourhood=None, contact=None, now=clock.now(),
        )  # fmt: skip
        await people.grant_role(
            session, otto.person.id, other.id, Role.SUPERVISOR, clock.now(),
            organisation_id=elsewhere.id,
        )  # fmt: skip
        otto_id = otto.person.id
    before = await placements(world)
    await cor.send("/organisatie")
    listing = await world.expect(cor, "Organisaties")
    await cor.tap(listing, "Deelnemer plaatsen: Voetbalclub Rosmalen")
    who = await cor.expect_message()
    assert "Tim" in who.buttons and "Ans" not in who.buttons
    forged = [
        f"hr:p-t:{ans_id}",  # supervises there
        f"hr:p-t:{cor_id}",  # not a participant
        f"hr:p-t:{otto_id}",  # a participant of another programme
        f"hr:p-t:{2**31 - 1}",  # nobody
        f"hr:p-t:{10**30}",  # not even a possible id
    ]
    made_up = await world.buttons(cor, forged)
    for payload in forged:
        answer = await cor.tap(made_up, callback_data=payload)
        assert answer is not None and answer.show_alert, payload
        assert STALE in (answer.text or ""), (payload, answer)
    await cor.tap(who, "Tim")
    ask = await cor.expect_message()
    assert "Welke praktijkbegeleider" in ask.text, ask.text
    forged = [f"hr:p-s:{sam_id}", f"hr:p-s:{otto_id}", f"hr:p-s:{10**30}"]
    made_up = await world.buttons(cor, forged)
    for payload in forged:
        answer = await cor.tap(made_up, callback_data=payload)
        assert answer is not None and answer.show_alert, payload
        assert STALE in (answer.text or ""), (payload, answer)
    await cor.tap(ask, "Kees")
    track = await cor.expect_message()
    await cor.tap(track, track.buttons[0])
    await cor.expect_message()
    await cor.send("-")
    confirm = await cor.expect_message()
    assert "Tim plaatsen bij Voetbalclub Rosmalen, met Kees" in confirm.text
    # Kees stops as a supervisor before "Plaatsen" is tapped: checked again, nothing placed
    async with world.harness.app.sessions.begin() as session:
        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.person_id == kees_id, RoleGrant.role == Role.SUPERVISOR.value)
            .values(revoked_at=clock.now())
        )
    answer = await cor.tap(confirm, "Plaatsen")
    assert answer is not None and STALE in (answer.text or ""), answer
    await kees.expect_no_message(within=0.3)
    assert await placements(world) == before
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_offered_trainee_and_supervisor_are_placed(world: World) -> None:
    cor = world.cor
    tim = await world.emu.create_user("Tim")
    await tim.send("/start")
    await tim.expect_message()
    tim_id, ans_id = await world.person_id(tim), await world.person_id(world.ans)
    async with world.harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        await people.grant_role(session, tim_id, prog.id, Role.CITYTRAINER, world.clock.now())
    await cor.send("/organisatie")
    listing = await world.expect(cor, "Organisaties")
    await cor.tap(listing, "Deelnemer plaatsen: Voetbalclub Rosmalen")
    await cor.tap(await cor.expect_message(), "Tim")
    track = await cor.expect_message()
    await cor.tap(track, track.buttons[0])
    await cor.expect_message()
    await cor.send("-")
    await cor.tap(await cor.expect_message(), "Plaatsen")
    assert "Klaar: Tim is geplaatst" in (await cor.expect_message()).text
    found = await eventually(lambda: placements(world), lambda rows: (tim_id, ans_id) in rows)
    assert (tim_id, ans_id) in found


async def test_offered_placement_on_both_databases(engine: AsyncEngine) -> None:
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        here = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", now)
        there = await people.ensure_programme(session, "Anderdorp", "Europe/Amsterdam", now)
        made = []
        for n, programme in enumerate((here, here, here, there)):
            member = await people.create_member(
                session, programme_id=programme.id, channel=people.TELEGRAM,
                external_id=str(3000 + n), chat_id=str(3000 + n), display_name="P",
                first_name="P", now=now,
            )  # fmt: skip
            made.append(member.person.id)
        ans, sam, cor, otto = made
        org = await hours.add_organisation(
            session, here.id, name="Club", kind=OrganisationKind.SPORT, neighbourhood=None,
            contact=None, now=now,
        )  # fmt: skip
        far = await hours.add_organisation(
            session, there.id, name="Elders", kind=OrganisationKind.SPORT, neighbourhood=None,
            contact=None, now=now,
        )  # fmt: skip
        await people.grant_role(session, ans, here.id, Role.SUPERVISOR, now, organisation_id=org.id)
        await people.grant_role(session, sam, here.id, Role.PARTICIPANT, now)
        await people.grant_role(session, otto, there.id, Role.PARTICIPANT, now)
        # a grant outside the person's programme (legacy data; grant_role refuses it now)
        session.add(
            RoleGrant(person_id=otto, programme_id=here.id, role=Role.PARTICIPANT, granted_at=now)
        )
        offered = hours.offered_placement
        assert [p.id for p in await hours.placeable_trainees(session, org)] == [sam]
        assert await offered(session, org, here.id, trainee_id=sam, supervisor_id=ans)
        assert not await offered(session, org, there.id, trainee_id=sam, supervisor_id=ans)
        assert not await offered(session, far, here.id, trainee_id=sam)
        assert not await offered(session, None, here.id, trainee_id=sam)
        for trainee in (ans, cor, otto, 0, -1, 2**31, 10**30):
            assert not await offered(session, org, here.id, trainee_id=trainee), trainee
        for supervisor in (sam, cor, otto, 10**30):
            assert not await offered(session, org, here.id, supervisor_id=supervisor), supervisor
        for forged in (0, 10**30):
            assert await hours.get_organisation(session, forged) is None
