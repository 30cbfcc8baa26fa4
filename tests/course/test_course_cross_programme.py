"""Issue 11, point 4, for the course: nobody of programme B plans, registers attendance for,
changes the leaders of, or approves certificates in programme A's groups, nor sees who is in
them.

Forged `cs:` (`PlanCb`), `at:` (`AttendanceCb`), `ce:` (`CertificateCb`), `cl:` (`LeaderCb`)
and `rm:` (`ReminderCb`) buttons with A's ids; /planning and /aanwezigheid. Attackers: the
coordinator kinds of tests/e2e/test_cross_programme.py, a course leader of B, and legacy data:
a person of B with a course-leader grant in A who is listed as a leader of A's group.

(The course feature is being changed at the same time: the leaders' buttons (`LeaderCb`) are
tested when they exist.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.features.course import callbacks
from bot.features.course.callbacks import (
    AttendanceAction,
    AttendanceCb,
    CertificateAction,
    CertificateCb,
    PlanAction,
    PlanCb,
    ReminderAction,
    ReminderCb,
)
from domain.roles import Role
from simulator.client import EmulatorClient, TestUser
from storage.course.models import (
    Attendance,
    Cohort,
    CohortLeader,
    CourseCertificate,
    CourseSession,
)
from storage.models import ChannelIdentity, OutboxMessage
from storage.signup.models import Enrolment
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import KINDS, Cross, Kind, age, make_cross

A_GROUP = "Groep Maaspoort"
LeaderCb = getattr(callbacks, "LeaderCb", None)
LeaderAction = getattr(callbacks, "LeaderAction", None)


@dataclass
class Course:
    cohort: int
    past: int  # began yesterday: attendance
    future: int  # next week: move or cancel
    participants: list[int]
    leader_id: int
    certificate: int
    floortje: TestUser


async def course_world(cross: Cross) -> Course:
    now = cross.clock.now()
    _lotje, lotje_id = await cross.add_person(
        "Lotje", cross.a, roles=[Role.COURSE_LEADER], birth_date=dt.date(1990, 5, 1)
    )
    participants = []
    users = []
    for name, years in (("Floortje", 15), ("Jurre", 17)):
        user, pid = await cross.add_person(
            name, cross.a, roles=[Role.PARTICIPANT], birth_date=age(years)
        )
        participants.append(pid)
        users.append(user)
    async with cross.harness.app.sessions.begin() as session:
        cohort = Cohort(
            programme_id=cross.a,
            name=A_GROUP,
            track="sport",
            capacity=15,
            location="Wijkhuis De Poort",
            created_at=now,
        )
        session.add(cohort)
        await session.flush()
        session.add(CohortLeader(cohort_id=cohort.id, person_id=lotje_id, created_at=now))
        past = CourseSession(
            programme_id=cross.a,
            cohort_id=cohort.id,
            kind="meeting",
            seq=1,
            starts_at=now - dt.timedelta(days=1),
            duration_minutes=150,
            location="Wijkhuis De Poort",
        )
        future = CourseSession(
            programme_id=cross.a,
            cohort_id=cohort.id,
            kind="meeting",
            seq=2,
            starts_at=now + dt.timedelta(days=6),
            duration_minutes=150,
            location="Wijkhuis De Poort",
        )
        session.add_all([past, future])
        for pid in participants:
            session.add(
                Enrolment(
                    programme_id=cross.a,
                    cohort_id=cohort.id,
                    person_id=pid,
                    status="placed",
                    created_at=now,
                )
            )
        certificate = CourseCertificate(
            programme_id=cross.a,
            person_id=participants[1],
            cohort_id=cohort.id,
            participation_at=now - dt.timedelta(days=2),
            requested_at=now - dt.timedelta(days=1),
        )
        session.add(certificate)
        await session.flush()
        world = Course(
            cohort.id, past.id, future.id, participants, lotje_id, certificate.id, users[0]
        )
    cross.secrets += [A_GROUP, "Wijkhuis De Poort"]
    return world


def plan_buttons(w: Course, now: dt.datetime) -> list[str]:
    later = int((now + dt.timedelta(days=8)).timestamp())
    return [
        PlanCb(action=PlanAction.GROUP, ident=w.cohort).pack(),
        PlanCb(action=PlanAction.SESSION, ident=w.future).pack(),
        PlanCb(action=PlanAction.MOVE, ident=w.future).pack(),
        PlanCb(action=PlanAction.CONFIRM_MOVE, ident=w.future, new_start=later).pack(),
        PlanCb(action=PlanAction.CANCEL, ident=w.future).pack(),
        PlanCb(action=PlanAction.CONFIRM_CANCEL, ident=w.future).pack(),
        PlanCb(action=PlanAction.LEADER, ident=w.leader_id).pack(),
    ]


def attendance_buttons(w: Course) -> list[str]:
    return [
        AttendanceCb(action=AttendanceAction.OPEN, session=w.past).pack(),
        AttendanceCb(
            action=AttendanceAction.TOGGLE, session=w.past, person=w.participants[0]
        ).pack(),
        AttendanceCb(action=AttendanceAction.SAVE, session=w.past).pack(),
    ]


def certificate_buttons(w: Course) -> list[str]:
    return [CertificateCb(action=CertificateAction.APPROVE, certificate=w.certificate).pack()]


def leader_buttons(w: Course, attacker_id: int) -> list[str]:
    if LeaderCb is None or LeaderAction is None:
        return []
    return [
        LeaderCb(action=LeaderAction.SHOW, cohort=w.cohort).pack(),
        LeaderCb(action=LeaderAction.PICK, cohort=w.cohort).pack(),
        LeaderCb(action=LeaderAction.SET, cohort=w.cohort, person=attacker_id).pack(),
        LeaderCb(action=LeaderAction.SET, cohort=w.cohort, person=w.leader_id).pack(),
        LeaderCb(action=LeaderAction.REMOVE, cohort=w.cohort, person=w.leader_id).pack(),
        LeaderCb(action=LeaderAction.INVITE, cohort=w.cohort).pack(),
    ]


async def _course_state(cross: Cross, w: Course) -> tuple[object, ...]:
    async with cross.harness.app.sessions() as session:
        sessions = [
            (s.id, s.starts_at, s.cancelled_at, s.attendance_saved_at)
            for s in await session.scalars(select(CourseSession).order_by(CourseSession.id))
        ]
        attendance = list(await session.scalars(select(Attendance.id)))
        certificate = await session.get(CourseCertificate, w.certificate)
        leaders = list(await session.scalars(select(CohortLeader.person_id)))
        assert certificate is not None
        return sessions, attendance, certificate.approved_at, sorted(leaders)


@pytest.mark.parametrize("kind", KINDS)
async def test_no_planning_attendance_leaders_or_certificate_in_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    w = await course_world(cross)
    before = await _course_state(cross, w)
    payloads = (
        plan_buttons(w, cross.clock.now())
        + attendance_buttons(w)
        + certificate_buttons(w)
        + leader_buttons(w, cross.attacker_id)
    )
    cross.check(await cross.press(payloads))
    # after a refused "Verplaatsen": a typed new time moves nothing
    cross.check(await cross.press([PlanCb(action=PlanAction.MOVE, ident=w.future).pack()]))
    cross.check(await cross.say("14-3-2027 19:30"), refused=False)
    cross.same(
        "the sessions, attendance, certificate and leaders", before, await _course_state(cross, w)
    )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_planning_and_attendance_commands_show_nothing_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    await course_world(cross)
    coordinator = kind is Kind.COORDINATOR_B  # B's own (empty) lists
    cross.check(await cross.say("/planning"), refused=not coordinator)
    cross.check(await cross.say("/aanwezigheid"), refused=not coordinator)
    await cross.done()


LEADER_B = "course-leader-of-B"
LEGACY_LEADER = "person-of-B-leader-of-A-group"


@pytest.mark.parametrize("kind", [LEADER_B, LEGACY_LEADER])
async def test_no_course_leader_of_another_programme_plans_or_registers_a_group(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> None:
    """A course leader of B; and legacy data: a person of B with a course-leader grant in A,
    listed as a leader of A's group (a `CohortLeader` row). Neither plans A's sessions, sees
    A's participants in the checklist, or registers their attendance."""

    async def setup(cross: Cross) -> tuple[TestUser, int]:
        if kind == LEADER_B:
            return await cross.add_person("Bart", cross.b, roles=[Role.COURSE_LEADER], secret=False)
        return await cross.add_person(
            "Bart", cross.b, grants=[(cross.a, Role.COURSE_LEADER, None)], secret=False
        )

    cross = await make_cross(harness, emu, kind, setup=setup)
    w = await course_world(cross)
    if kind == LEGACY_LEADER:
        async with harness.app.sessions.begin() as session:
            session.add(
                CohortLeader(
                    cohort_id=w.cohort,
                    person_id=cross.attacker_id,
                    created_at=cross.clock.now() - dt.timedelta(days=300),
                )
            )
    before = await _course_state(cross, w)
    cross.check(
        await cross.press(
            plan_buttons(w, cross.clock.now()) + attendance_buttons(w) + certificate_buttons(w)
        )
    )
    cross.check(await cross.say("/planning"), refused=kind == LEGACY_LEADER)
    cross.check(await cross.say("/aanwezigheid"), refused=kind == LEGACY_LEADER)
    cross.same(
        "the sessions, attendance, certificate and leaders", before, await _course_state(cross, w)
    )
    await cross.done()


@pytest.mark.parametrize("kind", [Kind.COORDINATOR_B, "participant-of-B"])
async def test_reminder_answers_for_a_session_of_another_programme_count_nowhere(
    harness: BotHarness, emu: EmulatorClient, kind: str
) -> None:
    """ "Ik kom" / "Ik kan niet" under a reminder of A's session (`rm:`): only a participant of
    that group may answer; nothing is recorded and the leader hears nothing."""

    async def setup(cross: Cross) -> tuple[TestUser, int]:
        return await cross.add_person("Bo", cross.b, roles=[Role.PARTICIPANT], secret=False)

    cross = await make_cross(
        harness, emu, kind, setup=None if kind is Kind.COORDINATOR_B else setup
    )
    w = await course_world(cross)
    cross.check(
        await cross.press(
            [
                ReminderCb(action=ReminderAction.COMING, session=w.future).pack(),
                ReminderCb(action=ReminderAction.CANNOT, session=w.future).pack(),
            ]
        ),
        allowed=(*_reminder_refusals(),),
    )
    await cross.done()


def _reminder_refusals() -> tuple[str, ...]:
    from tests.e2e.test_cross_programme import REFUSALS

    return (*REFUSALS, "Deze bijeenkomst is niet voor jou", "Je zit niet in deze groep")


async def test_the_coordinator_of_b_does_plan_b(harness: BotHarness, emu: EmulatorClient) -> None:
    """The control: B's coordinator opens B's own group and cancels its session."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    await course_world(cross)
    async with harness.app.sessions.begin() as session:
        cohort = Cohort(
            programme_id=cross.b,
            name="Groep Oss-Centrum",
            track="sport",
            capacity=15,
            location="De Lievekamp",
            created_at=cross.clock.now(),
        )
        session.add(cohort)
        await session.flush()
        own = CourseSession(
            programme_id=cross.b,
            cohort_id=cohort.id,
            kind="meeting",
            seq=1,
            starts_at=cross.clock.now() + dt.timedelta(days=6),
            duration_minutes=150,
            location="De Lievekamp",
        )
        session.add(own)
        await session.flush()
        cohort_id, own_id = cohort.id, own.id
    shown, cancelled = await cross.press(
        [
            PlanCb(action=PlanAction.GROUP, ident=cohort_id).pack(),
            PlanCb(action=PlanAction.CONFIRM_CANCEL, ident=own_id).pack(),
        ]
    )
    assert not shown.refused() and not cancelled.refused(), (shown.describe(), cancelled.describe())
    assert cancelled.changes, cancelled.describe()
    async with harness.app.sessions() as session:
        assert (await session.get(CourseSession, own_id)).cancelled_at is not None  # type: ignore[union-attr]
    await cross.done()


async def test_a_person_of_another_programme_is_never_made_leader(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """B's coordinator, in the middle of /nieuwegroep (the leader question) and under B's own
    group (`cl:set`), taps A's course leader Lotje: refused, she is not made leader of anything
    in B and her name is not shown."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    w = await course_world(cross)
    cross.secrets.append("Lotje")
    async with harness.app.sessions.begin() as session:
        cohort = Cohort(
            programme_id=cross.b,
            name="Groep Oss-Centrum",
            track="sport",
            capacity=15,
            location="De Lievekamp",
            created_at=cross.clock.now(),
        )
        session.add(cohort)
        await session.flush()
        own = cohort.id
    if LeaderCb is not None and LeaderAction is not None:
        cross.check(
            await cross.press(
                [LeaderCb(action=LeaderAction.SET, cohort=own, person=w.leader_id).pack()]
            )
        )
    bram = cross.attacker
    await bram.send("/nieuwegroep")
    await bram.expect_message()
    await bram.send("Najaar Oss")
    await bram.tap(await bram.expect_message(), "Sport: Ik train mijn stad")
    await bram.expect_message()
    await bram.send("10-3-2027")
    await bram.expect_message()
    await bram.send("De Lievekamp")
    leaders = await bram.expect_message()
    assert "Lotje" not in leaders.buttons, leaders.buttons
    await cross.settle()  # the leader question's state is committed
    cross.check(await cross.press([PlanCb(action=PlanAction.LEADER, ident=w.leader_id).pack()]))
    async with harness.app.sessions() as session:
        led = list(
            await session.scalars(
                select(CohortLeader.cohort_id).where(CohortLeader.person_id == w.leader_id)
            )
        )
    cross.same("the groups Lotje leads", [w.cohort], led)
    await cross.done()


async def test_an_absence_in_a_group_is_told_to_its_own_leaders_only(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """Floortje (15, of A) cannot come and says why: her name and reason go to Lotje, A's
    course leader of the group, never to a person of B listed as a leader of that group
    (legacy data; bot/features/course/conversations/absence.py: tell_leaders)."""

    async def setup(cross: Cross) -> tuple[TestUser, int]:
        return await cross.add_person(
            "Bart", cross.b, grants=[(cross.a, Role.COURSE_LEADER, None)], secret=False
        )

    cross = await make_cross(harness, emu, LEGACY_LEADER, setup=setup)
    w = await course_world(cross)
    async with harness.app.sessions.begin() as session:
        session.add(
            CohortLeader(
                cohort_id=w.cohort,
                person_id=cross.attacker_id,
                created_at=cross.clock.now() - dt.timedelta(days=300),
            )
        )
    reason = "Ik heb een afspraak in het ziekenhuis"
    cross.secrets.append(reason)
    floortje = w.floortje
    cannot = ReminderCb(action=ReminderAction.CANNOT, session=w.future).pack()
    message = await cross.buttons(floortje, [cannot])
    answer = await floortje.tap(message, callback_data=cannot)
    assert answer is not None and not answer.show_alert, answer  # she is in the group
    await floortje.expect_message()  # "Do you want to tell your course leader why?"
    await floortje.send(reason)
    await cross.settle(floortje)
    async with harness.app.sessions() as session:
        lotje_chat = await session.scalar(
            select(ChannelIdentity.chat_id).where(ChannelIdentity.person_id == w.leader_id)
        )
        chats = {
            row.chat_id
            for row in await session.scalars(select(OutboxMessage))
            if reason in str(row.payload)
        }
    if chats != {lotje_chat}:
        cross.problems.append(
            f"[{LEGACY_LEADER}] Floortje's absence went to chats {sorted(chats)} "
            f"(Lotje: {lotje_chat}, the attacker: {cross.attacker.id})"
        )
    await cross.done()
