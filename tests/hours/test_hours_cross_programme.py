"""Issue 11, point 4, for practice hours: nobody of programme B decides, corrects or sees
programme A's hours, organisations and placements.

Attackers: the coordinator kinds of tests/e2e/test_cross_programme.py, and two supervisors:
a supervisor of B (a person of B, supervising at B's club) and legacy data, a person of B with
a supervisor grant at A's club (the row inserted directly). The decision buttons are signed
(`bot.features.hours.common.signed`): we sign them with the bot's own key, as buttons that once
reached the attacker legitimately (or through the bug) would be.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.features.hours.callbacks import DecisionAction, HoursAction, HoursCb
from bot.features.hours.common import signed
from bot.features.hours.keys import log_ref
from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import LogStatus
from domain.roles import Role
from simulator.client import EmulatorClient, TestUser
from storage.hours import queries as hours
from storage.hours.models import PracticeHours
from storage.models import OutboxMessage
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.e2e.test_cross_programme import (
    KINDS,
    TODAY,
    Cross,
    Kind,
    age,
    make_cross,
    plant_old_message,
)

A_CLUB = "Voetbalclub Rosmalen"
B_CLUB = "SV Oss"
WHAT = "Training gegeven aan de F-jes"


@dataclass
class Hours:
    org_a: int
    org_b: int
    pending: int
    decided: int
    sem: TestUser
    sem_id: int
    anouk: TestUser
    anouk_id: int


async def _org(cross: Cross, programme_id: int, name: str) -> int:
    async with cross.harness.app.sessions.begin() as session:
        org = await hours.add_organisation(
            session,
            programme_id,
            name=name,
            kind=OrganisationKind.SPORT,
            neighbourhood="Rosmalen-Noord" if programme_id == cross.a else "Oss-Centrum",
            contact="Ans, 06-11112222" if programme_id == cross.a else None,
            now=cross.clock.now(),
        )
        return org.id


async def hours_world(cross: Cross) -> Hours:
    org_a = await _org(cross, cross.a, A_CLUB)
    org_b = await _org(cross, cross.b, B_CLUB)
    cross.secrets += [A_CLUB, "06-11112222", WHAT, "Toernooi opgebouwd"]
    anouk, anouk_id = await cross.add_person(
        "Anouk", cross.a, grants=[(cross.a, Role.SUPERVISOR, org_a)]
    )
    sem, sem_id = await cross.add_person(
        "Siebe", cross.a, roles=[Role.PARTICIPANT], birth_date=age(15)
    )
    now = cross.clock.now()
    async with cross.harness.app.sessions.begin() as session:
        placement = await hours.add_placement(
            session,
            programme_id=cross.a,
            person_id=sem_id,
            organisation_id=org_a,
            supervisor_id=anouk_id,
            track=PlacementTrack.SPORT,
            motivation="Wil graag jonge kinderen trainen",
            created_by=cross.cor_a_id,
            now=now,
        )
        pending = await hours.add_log(
            session,
            placement=placement,
            work_date=TODAY - dt.timedelta(days=1),
            minutes=120,
            description=WHAT,
            now=now,
        )
        decided = await hours.add_log(
            session,
            placement=placement,
            work_date=TODAY - dt.timedelta(days=2),
            minutes=90,
            description="Toernooi opgebouwd",
            now=now,
        )
        await hours.decide(
            session,
            decided.id,
            status=LogStatus.CONFIRMED,
            minutes=None,
            by=anouk_id,
            now=now,
            reason=None,
        )
        ids = pending.id, decided.id
    cross.secrets.append("Wil graag jonge kinderen trainen")
    return Hours(org_a, org_b, ids[0], ids[1], sem, sem_id, anouk, anouk_id)


def decisions(cross: Cross, log_id: int) -> list[str]:
    """Signed Bevestigen / Aanpassen / Afwijzen of one log."""
    settings = cross.harness.app.settings
    return [
        signed(settings, action, log_id)
        for action in (DecisionAction.CONFIRM, DecisionAction.ADJUST, DecisionAction.REJECT)
    ]


def confirm_all(cross: Cross, log_id: int) -> str:
    """The digest's "Alles bevestigen" up to `log_id`: it acts on the presser's own pending
    list, so it needs no refusal; it must confirm nothing of A."""
    return signed(cross.harness.app.settings, DecisionAction.CONFIRM_ALL, log_id)


async def _statuses(cross: Cross) -> dict[int, str]:
    async with cross.harness.app.sessions() as session:
        return {
            i: s for i, s in await session.execute(select(PracticeHours.id, PracticeHours.status))
        }


@pytest.mark.parametrize("kind", KINDS)
async def test_no_decision_on_hours_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """Signed Bevestigen / Aanpassen / Afwijzen / Alles bevestigen on A's pending log, and
    a reply ("ok", "1,5") to an old decision message about it (ref `hours:<id>`)."""
    cross = await make_cross(harness, emu, kind)
    w = await hours_world(cross)
    before = await _statuses(cross)
    cross.check(await cross.press(decisions(cross, w.pending)))
    cross.check(await cross.press([confirm_all(cross, w.pending)]), refused=False)
    old = await plant_old_message(cross, "Een oud bericht over uren", log_ref(w.pending))
    cross.check(await cross.reply(old, "ok"))
    cross.check(await cross.reply(old, "1,5"))
    cross.same("the statuses of the hours", before, await _statuses(cross))
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_organisation_invite_or_placement_in_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """`hr:o-inv` (a supervisor invite for A's club), `hr:o-pl` (place a trainee there) and
    the placement steps with A's trainee and supervisor."""
    cross = await make_cross(harness, emu, kind)
    w = await hours_world(cross)
    payloads = [
        HoursCb(action=HoursAction.ORGANISATION_INVITE, value=w.org_a).pack(),
        HoursCb(action=HoursAction.ORGANISATION_PLACE, value=w.org_a).pack(),
        HoursCb(action=HoursAction.PLACE_TRAINEE, value=w.sem_id).pack(),
        HoursCb(action=HoursAction.PLACE_SUPERVISOR, value=w.anouk_id).pack(),
        HoursCb(action=HoursAction.PLACE_CONFIRM).pack(),
    ]
    cross.check(await cross.press(payloads))
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_correction_of_hours_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """/corrigeer with A's decided log: the log, its history and the trainee's name are not
    shown, and what is typed next corrects nothing."""
    cross = await make_cross(harness, emu, kind)
    w = await hours_world(cross)
    cross.check(await cross.say(f"/corrigeer {w.decided}"))
    cross.check(await cross.say("3"), refused=False)
    cross.check(await cross.say("Verkeerd ingevuld"), refused=False)
    async with harness.app.sessions() as session:
        log = await session.get(PracticeHours, w.decided)
        assert log is not None
    cross.same("the decided log", (90, LogStatus.CONFIRMED), (log.minutes, log.status))
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_hours_commands_show_nothing_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """/organisatie (B's clubs for B's coordinator) and /begeleiden: nothing of A."""
    cross = await make_cross(harness, emu, kind)
    await hours_world(cross)
    listing = await cross.say("/organisatie")
    cross.check(listing, refused=kind is not Kind.COORDINATOR_B)
    if kind is Kind.COORDINATOR_B:
        assert any(B_CLUB in t for t in listing.texts()), listing.describe()
    cross.check(await cross.say("/begeleiden"))
    await cross.done()


# --- supervisors ------------------------------------------------------------------------------

SUPERVISOR_B = "supervisor-of-B"
LEGACY_SUPERVISOR = "person-of-B-supervisor-grant-at-A-club"
BOTH_SUPERVISOR = "supervisor-of-B-also-legacy-grant-at-A-club"
SUPERVISORS = [SUPERVISOR_B, LEGACY_SUPERVISOR, BOTH_SUPERVISOR]


async def _supervisor_setup(cross: Cross, kind: str) -> tuple[TestUser, int]:
    org_b = await _org(cross, cross.b, "Atletiek Oss")
    if kind in (SUPERVISOR_B, BOTH_SUPERVISOR):
        return await cross.add_person(
            "Boris", cross.b, grants=[(cross.b, Role.SUPERVISOR, org_b)], secret=False
        )
    return await cross.add_person("Bente", cross.b, secret=False)


async def _legacy_grant_at(cross: Cross, org_id: int) -> None:
    """The legacy row: the attacker (a person of B) supervisor at A's club, in A."""
    from storage.models import RoleGrant

    async with cross.harness.app.sessions.begin() as session:
        session.add(
            RoleGrant(
                person_id=cross.attacker_id,
                programme_id=cross.a,
                role=Role.SUPERVISOR.value,
                organisation_id=org_id,
                granted_at=cross.clock.now() - dt.timedelta(days=400),
            )
        )


async def supervisor_cross(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> tuple[Cross, Hours]:
    async def setup(cross: Cross) -> tuple[TestUser, int]:
        return await _supervisor_setup(cross, kind)

    cross = await make_cross(harness, emu, kind, setup=setup)
    w = await hours_world(cross)
    if kind in (LEGACY_SUPERVISOR, BOTH_SUPERVISOR):
        await _legacy_grant_at(cross, w.org_a)
    return cross, w


@pytest.mark.parametrize("kind", SUPERVISORS)
async def test_no_supervisor_of_another_programme_decides_a_hours(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> None:
    """A supervisor's buttons (signed) and replies on A's log, and /begeleiden."""
    cross, w = await supervisor_cross(harness, emu, kind)
    before = await _statuses(cross)
    cross.check(await cross.press(decisions(cross, w.pending)))
    cross.check(await cross.press([confirm_all(cross, w.pending)]), refused=False)
    old = await plant_old_message(cross, "Een oud bericht over uren", log_ref(w.pending))
    cross.check(await cross.reply(old, "ok"))
    # B's supervisor sees only B's (nothing waits there); the legacy holder is none
    cross.check(await cross.say("/begeleiden"), refused=kind == LEGACY_SUPERVISOR)
    cross.same("the statuses of the hours", before, await _statuses(cross))
    await cross.done()


@pytest.mark.parametrize("kind", SUPERVISORS)
async def test_new_hours_of_a_go_to_a_supervisors_only(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> None:
    """Siebe (15, of A) logs hours with /uren: the message with his name, hours and buttons goes
    to Anouk (A's supervisor at the club) only, never to a person of B."""
    cross, w = await supervisor_cross(harness, emu, kind)
    sem = w.sem
    await sem.send("/uren")
    overview = await sem.expect_message()
    await sem.tap(overview, "Uren invullen")
    ask_day = await sem.expect_message()
    assert "Op welke dag?" in (ask_day.text or ""), ask_day.text
    await sem.tap(ask_day, "Vandaag")
    assert "Hoeveel uur" in ((await sem.expect_message()).text or "")
    await sem.send("2")
    assert "Wat heb je gedaan?" in ((await sem.expect_message()).text or "")
    await sem.send("Warming-up geleid bij de Rosmalense F-jes")
    cross.secrets.append("Warming-up geleid bij de Rosmalense F-jes")
    summary = await sem.expect_message()
    await sem.tap(summary, "Opslaan")
    assert "wacht op bevestiging" in ((await sem.expect_message()).text or "")

    async def newest() -> PracticeHours | None:
        async with harness.app.sessions() as session:
            return await session.scalar(
                select(PracticeHours)
                .where(PracticeHours.id > w.decided)
                .order_by(PracticeHours.id.desc())
            )

    log = await eventually(newest, lambda found: found is not None)
    assert log is not None
    await cross.settle(sem)
    async with harness.app.sessions() as session:
        chats = set(
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.ref == log_ref(log.id))
            )
        )
    if chats != {str(w.anouk.id)}:
        cross.problems.append(
            f"[{kind}] the decision message of A's log #{log.id} went to chats {sorted(chats)}, "
            f"Anouk is {w.anouk.id}, the attacker {cross.attacker.id}"
        )
    await cross.done()


async def test_a_coordinator_is_not_offered_a_supervisor_of_another_programme(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """Placing Siebe at A's club, Corrie is offered A's supervisors only: the legacy holder
    (a person of B) is no supervisor there, so Siebe's name and motivation never go to her."""
    cross, _w = await supervisor_cross(harness, emu, LEGACY_SUPERVISOR)
    cor = cross.cor_a
    await cor.send("/organisatie")
    listing = await cor.expect_message()
    while "Organisaties" not in (listing.text or ""):
        listing = await cor.expect_message()
    await cor.tap(listing, f"Deelnemer plaatsen: {A_CLUB}")
    who = await cor.expect_message()
    await cor.tap(who, "Siebe")
    asked = await cor.expect_message()
    if "Bente" in asked.buttons or "Welke praktijkbegeleider" in (asked.text or ""):
        cross.problems.append(
            f"[{LEGACY_SUPERVISOR}] A's coordinator is offered supervisors {asked.buttons} "
            f"for {A_CLUB} ({asked.text!r})"
        )
    await cross.done()


async def test_a_trainee_of_another_programme_is_never_placed_in_b(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """B's coordinator places a trainee at B's club; in the middle of the flow she taps A's
    trainee (Siebe) and A's supervisor (Anouk): refused, nobody of A is placed or told."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    w = await hours_world(cross)
    await cross.add_person("Boris", cross.b, grants=[(cross.b, Role.SUPERVISOR, w.org_b)],
                           secret=False)  # fmt: skip
    await cross.add_person("Bjorn", cross.b, roles=[Role.PARTICIPANT], secret=False)
    bram = cross.attacker
    await bram.send("/organisatie")
    listing = await bram.expect_message()
    while "Organisaties" not in (listing.text or ""):
        listing = await bram.expect_message()
    await bram.tap(listing, f"Deelnemer plaatsen: {B_CLUB}")
    who = await bram.expect_message()
    assert "Bjorn" in who.buttons and "Siebe" not in who.buttons, who.buttons
    await cross.settle()  # the placement flow's state is committed
    cross.check(
        await cross.press(
            [
                HoursCb(action=HoursAction.PLACE_TRAINEE, value=w.sem_id).pack(),
                HoursCb(action=HoursAction.PLACE_SUPERVISOR, value=w.anouk_id).pack(),
            ]
        )
    )
    await cross.done()


async def test_the_coordinator_of_b_does_decide_hours_of_b(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """The control: B's coordinator confirms B's own log with the same kind of button."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    w = await hours_world(cross)
    trainee, trainee_id = await cross.add_person("Bjorn", cross.b, roles=[Role.PARTICIPANT])
    async with harness.app.sessions.begin() as session:
        placement = await hours.add_placement(
            session,
            programme_id=cross.b,
            person_id=trainee_id,
            organisation_id=w.org_b,
            supervisor_id=None,
            track=PlacementTrack.SPORT,
            motivation=None,
            created_by=cross.attacker_id,
            now=cross.clock.now(),
        )
        log = await hours.add_log(
            session,
            placement=placement,
            work_date=TODAY,
            minutes=60,
            description="Ballen opgeruimd",
            now=cross.clock.now(),
        )
        log_id = log.id
    (outcome,) = await cross.press([signed(harness.app.settings, DecisionAction.CONFIRM, log_id)])
    assert not outcome.refused() and outcome.changes, outcome.describe()
    assert (await _statuses(cross))[log_id] == LogStatus.CONFIRMED
    assert trainee is not None
    await cross.done()
