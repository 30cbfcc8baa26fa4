"""Issue 11, point 4, for opportunities: nobody of programme B sees, joins or answers for
programme A's opportunities, and a broadcast of B reaches nobody of A.

Attackers: the coordinator kinds of tests/e2e/test_cross_programme.py, a Citytrainer and a
participant of B, and legacy data: a person of B with a Citytrainer grant in A, and a person of
A whose only Citytrainer grant is in B (inserted directly). Forged `op:` buttons
(`OfferCallback`, `OpenCallback`, `AttendanceCallback`) carry A's ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.features.opportunities.callbacks import (
    AttendanceAnswer,
    AttendanceCallback,
    ListAction,
    OfferAction,
    OfferCallback,
    OpenCallback,
)
from domain.hours.places import OrganisationKind
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus, SignupStatus
from domain.roles import Role
from simulator.client import EmulatorClient, TestUser
from storage.hours import queries as hours
from storage.models import OutboxMessage
from storage.opportunities.models import Opportunity, OpportunityRecipient, OpportunitySignup
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import KINDS, REFUSALS, Cross, Kind, make_cross

A_TITLE = "Sportdag Rosmalen"
A_CLUB = "Voetbalclub Rosmalen"
A_TEXT = "Je helpt bij de spellen op het veld achter de Rosmalense sporthal."
NOT_SIGNED_UP = "Je bent niet aangemeld voor deze kans"
NOT_YOURS = "Deze vraag is niet voor jou"


@dataclass
class Opps:
    open_id: int  # open, joinable by A's Citytrainers
    past_id: int  # took place yesterday (the attendance question)
    signup_id: int  # Ravi's place at the past one
    ravi_id: int
    ravi: TestUser


async def opps_world(cross: Cross) -> Opps:
    now = cross.clock.now()
    ravi, ravi_id = await cross.add_person("Ravi", cross.a, roles=[Role.CITYTRAINER])
    anouk, _anouk_id = await cross.add_person("Anouk", cross.a)
    async with cross.harness.app.sessions.begin() as session:
        org = await hours.add_organisation(
            session,
            cross.a,
            name=A_CLUB,
            kind=OrganisationKind.SPORT,
            neighbourhood=None,
            contact=None,
            now=now,
        )
        from storage.models import RoleGrant

        session.add(
            RoleGrant(
                person_id=_anouk_id,
                programme_id=cross.a,
                role=Role.SUPERVISOR.value,
                organisation_id=org.id,
                granted_at=now,
            )
        )
        common = {
            "programme_id": cross.a,
            "organisation_id": org.id,
            "organisation_name": A_CLUB,
            "description": A_TEXT,
            "place": "Sporthal De Rosmalense",
            "places": 10,
            "track": Track.BOTH,
            "status": OpportunityStatus.OPEN,
            "created_at": now,
            "created_by": cross.cor_a_id,
            "published_at": now,
        }
        open_one = Opportunity(title=A_TITLE, starts_at=now + dt.timedelta(days=10), **common)
        past = Opportunity(
            title="Kinderfeest Rosmalen", starts_at=now - dt.timedelta(days=1), **common
        )
        session.add_all([open_one, past])
        await session.flush()
        signup = OpportunitySignup(
            opportunity_id=past.id,
            person_id=ravi_id,
            status=SignupStatus.PLACED,
            joined_at=now - dt.timedelta(days=5),
            placed_at=now - dt.timedelta(days=5),
        )
        session.add(signup)
        await session.flush()
        ids = Opps(open_one.id, past.id, signup.id, ravi_id, ravi)
    cross.secrets += [A_TITLE, A_CLUB, A_TEXT, "Kinderfeest Rosmalen", "Sporthal De Rosmalense"]
    assert anouk is not None
    return ids


def forged(w: Opps) -> list[str]:
    payloads = []
    for opp in (w.open_id, w.past_id):
        payloads += [
            OfferCallback(action=OfferAction.JOIN, opportunity_id=opp).pack(),
            OfferCallback(action=OfferAction.INFO, opportunity_id=opp).pack(),
            OpenCallback(action=ListAction.OPEN, opportunity_id=opp, back_index=0).pack(),
            OfferCallback(action=OfferAction.CANCEL, opportunity_id=opp).pack(),
        ]
    payloads += [
        AttendanceCallback(answer=AttendanceAnswer.YES, signup_id=w.signup_id).pack(),
        AttendanceCallback(answer=AttendanceAnswer.NO, signup_id=w.signup_id).pack(),
    ]
    return payloads


async def _joined(cross: Cross) -> set[int]:
    async with cross.harness.app.sessions() as session:
        return set(await session.scalars(select(OpportunitySignup.person_id)))


ALLOWED = (*REFUSALS, NOT_SIGNED_UP, NOT_YOURS)


@pytest.mark.parametrize("kind", KINDS)
async def test_no_coordinator_of_another_programme_sees_or_joins_a_opportunity(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    w = await opps_world(cross)
    before = await _joined(cross)
    cross.check(await cross.press(forged(w)), allowed=ALLOWED)
    cross.check(await cross.say("/kansen"), refused=False)
    cross.same("who joined an opportunity", before, await _joined(cross))
    await cross.done()


CITYTRAINER_B = "citytrainer-of-B"
PARTICIPANT_B = "participant-of-B"
LEGACY_CT_IN_B = "person-of-B-citytrainer-grant-in-A"
LEGACY_CT_IN_A = "person-of-A-citytrainer-grant-in-B"
TAKERS = [CITYTRAINER_B, PARTICIPANT_B, LEGACY_CT_IN_B, LEGACY_CT_IN_A]


async def taker_cross(harness: BotHarness, emu: EmulatorClient, kind: str) -> Cross:
    async def setup(cross: Cross) -> tuple[TestUser, int]:
        if kind == CITYTRAINER_B:
            return await cross.add_person("Bo", cross.b, roles=[Role.CITYTRAINER], secret=False)
        if kind == PARTICIPANT_B:
            return await cross.add_person("Bo", cross.b, roles=[Role.PARTICIPANT], secret=False)
        if kind == LEGACY_CT_IN_B:
            return await cross.add_person(
                "Bo", cross.b, grants=[(cross.a, Role.CITYTRAINER, None)], secret=False
            )
        return await cross.add_person(
            "Bo", cross.a, grants=[(cross.b, Role.CITYTRAINER, None)], secret=False
        )

    return await make_cross(harness, emu, kind, setup=setup)


@pytest.mark.parametrize("kind", TAKERS)
async def test_no_citytrainer_of_another_programme_sees_or_joins_a_opportunity(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> None:
    """Join / more info / open / cancel, and the attendance question of Ravi's place: told
    kindly it is not for them, see nothing of it, take no place; /kansen lists nothing of A."""
    cross = await taker_cross(harness, emu, kind)
    w = await opps_world(cross)
    before = await _joined(cross)
    cross.check(await cross.press(forged(w)), allowed=ALLOWED)
    cross.check(await cross.say("/kansen"), refused=False)
    cross.same("who joined an opportunity", before, await _joined(cross))
    await cross.done()


async def _post(cor: TestUser, title: str, organisation: str) -> None:
    """/kans through the bot (Citytrainers only, no minimum age, everywhere, no deadline)."""
    answers = [
        title,
        organisation,
        "Je helpt bij de kermis op de markt.",
        "doorlopend",
        "Markt, Oss",
        "3",
        "10",
    ]
    await cor.send("/kans")
    assert "kans plaatsen" in ((await cor.expect_message()).text or "")
    for index, answer in enumerate(answers):
        await cor.send(answer)
        if index < len(answers) - 1:
            await cor.expect_message()
    for choice in ("Beide", "Nee, alleen Citytrainers", "Geen minimumleeftijd", "Overal"):
        await cor.tap(await cor.expect_message(), choice)
    await cor.tap(await cor.expect_message(), "Geen deadline")
    preview = await cor.expect_message()
    await cor.tap(preview, "Publiceren")
    await cor.expect_message()


async def test_a_broadcast_of_b_reaches_nobody_of_a(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """B's coordinator posts an opportunity naming A's club: it goes to B's Citytrainers only
    (not to Ravi of A, nor to a person of A holding a Citytrainer grant in B), and it is not
    linked to A's club (whose supervisor would hear who joins)."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    w = await opps_world(cross)
    bo, bo_id = await cross.add_person("Bo", cross.b, roles=[Role.CITYTRAINER], secret=False)
    _lieke, lieke_id = await cross.add_person(
        "Lieke", cross.a, grants=[(cross.b, Role.CITYTRAINER, None)]
    )
    await _post(cross.attacker, "Kermis Oss", A_CLUB)
    await cross.settle()
    async with harness.app.sessions() as session:
        opp = await session.scalar(select(Opportunity).where(Opportunity.title == "Kermis Oss"))
        assert opp is not None and opp.programme_id == cross.b
        recipients = set(
            await session.scalars(
                select(OpportunityRecipient.person_id).where(
                    OpportunityRecipient.opportunity_id == opp.id
                )
            )
        )
    assert bo_id in recipients, recipients  # the control: B's own Citytrainer gets it
    for name, person in (("Ravi", w.ravi_id), ("Lieke", lieke_id)):
        if person in recipients:
            cross.problems.append(f"B's broadcast went to {name} (person {person}) of A")
    if opp.organisation_id is not None:
        cross.problems.append(f"B's opportunity is linked to organisation {opp.organisation_id}")
    cross.secrets.remove(A_CLUB)  # the attacker typed it
    assert bo is not None
    await cross.done()


@pytest.mark.parametrize("kind", [Kind.LEGACY_IN_A, Kind.LEGACY_IN_B])
async def test_a_legacy_coordinator_grant_posts_nothing(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    await opps_world(cross)
    cross.check(await cross.say("/kans"))
    await cross.done()


async def test_who_joins_a_opportunity_is_told_to_a_people_only(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """Ravi (of A) joins A's opportunity at A's club: "Ravi signed up for ..." goes to the
    club's supervisors and the coordinator who posted it, never to a person of B holding a
    (legacy) supervisor grant at A's club (storage.opportunities.queries.supervisor_chats)."""
    from storage.models import RoleGrant

    async def setup(cross: Cross) -> tuple[TestUser, int]:
        return await cross.add_person("Bente", cross.b, secret=False)

    cross = await make_cross(harness, emu, "person-of-B-supervisor-grant-at-A-club", setup=setup)
    w = await opps_world(cross)
    async with harness.app.sessions.begin() as session:
        opp = await session.get(Opportunity, w.open_id)
        assert opp is not None and opp.organisation_id is not None
        session.add(
            RoleGrant(
                person_id=cross.attacker_id,
                programme_id=cross.a,
                role=Role.SUPERVISOR.value,
                organisation_id=opp.organisation_id,
                granted_at=cross.clock.now() - dt.timedelta(days=400),
            )
        )
    join = OfferCallback(action=OfferAction.JOIN, opportunity_id=w.open_id).pack()
    message = await cross.buttons(w.ravi, [join])
    answer = await w.ravi.tap(message, callback_data=join)
    assert answer is not None and not answer.show_alert, answer  # Ravi may join
    await cross.settle(w.ravi)
    async with harness.app.sessions() as session:
        chats = set(await session.scalars(select(OutboxMessage.chat_id)))
    if str(cross.attacker.id) in chats:
        cross.problems.append(
            f"[{cross.kind}] the message about Ravi joining A's opportunity went to the "
            f"attacker's chat {cross.attacker.id}"
        )
    await cross.done()
