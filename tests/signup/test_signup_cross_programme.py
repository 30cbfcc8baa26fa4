"""Issue 11, point 4, for signups: no coordinator of programme B (nor a legacy grant's holder,
see tests/e2e/test_cross_programme.py) sees or decides programme A's signups of minors.

Forged `sd:` buttons (`SignupDecision`, `InviteCb`) and `su:` buttons (`ConsentCb`) with A's
signup and group ids: show the card, place (in a group), waiting list, ask, decline, paper
consent, "Nagebeld en bevestigd"; the coordinators' commands show nothing of A. Each attempt:
refused, nothing changed, nothing of A's children reaches the attacker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.features.signup.callbacks import (
    ConsentAction,
    ConsentCb,
    DecisionAction,
    InviteAction,
    InviteCb,
    SignupDecision,
)
from domain.signup.status import ConsentKind, ConsentMethod, ConsentRoute, SignupStatus
from simulator.client import EmulatorClient
from storage.course.models import Cohort, CourseSession
from storage.models import Person
from storage.signup.models import Consent, Signup
from storage.signup.queries import PRIVACY_VERSION
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import KINDS, Cross, Kind, age, make_cross

A_GROUP = "Groep Maaspoort"
B_GROUP = "Groep Oss-Centrum"


@dataclass
class Signups:
    minor: int  # 15, waits for "Nagebeld en bevestigd" (forwarded link, unverified)
    ready: int  # 17, no consent needed: may be placed at once
    awaiting: int  # 14, still waiting for the parent (paper consent possible)
    cohort_a: int
    cohort_b: int
    own: int  # a signup of B (the attacker's programme)


async def _cohort(cross: Cross, programme_id: int, name: str) -> int:
    async with cross.harness.app.sessions.begin() as session:
        cohort = Cohort(
            programme_id=programme_id,
            name=name,
            track="sport",
            capacity=15,
            location="Buurthuis",
            created_at=cross.clock.now(),
        )
        session.add(cohort)
        await session.flush()
        session.add(
            CourseSession(
                programme_id=programme_id,
                cohort_id=cohort.id,
                kind="meeting",
                seq=1,
                starts_at=cross.clock.now() + dt.timedelta(days=30),
                duration_minutes=150,
                location="Buurthuis",
            )
        )
        return cohort.id


async def _signup(
    cross: Cross,
    programme_id: int,
    name: str,
    years: int,
    status: SignupStatus,
    *,
    consent: bool = False,
) -> int:
    _user, person_id = await cross.add_person(name, programme_id, birth_date=age(years))
    now = cross.clock.now()
    async with cross.harness.app.sessions.begin() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        person.postcode = "5223XK" if programme_id == cross.a else "5341BB"
        signup = Signup(
            programme_id=programme_id,
            person_id=person_id,
            status=status,
            track="sport",
            age_at_signup=years,
            motivation=f"Een voetbaltoernooi voor {name}",
            gender="girl",
            school="havo_vwo",
            heard_from="school",
            contact="chat",
            needs_consent=years < 16,
            parent_name="Karin Jansen" if years < 16 else None,
            parent_contact="06 12345678" if years < 16 else None,
            privacy_version=PRIVACY_VERSION,
            privacy_accepted_at=now,
            created_at=now,
            submitted_at=now,
        )
        session.add(signup)
        await session.flush()
        if consent:
            session.add(
                Consent(
                    programme_id=programme_id,
                    person_id=person_id,
                    kind=ConsentKind.PARENTAL,
                    version=PRIVACY_VERSION,
                    given_by="Karin Jansen",
                    method=ConsentMethod.TELEGRAM,
                    given_at=now,
                    signup_id=signup.id,
                    route=ConsentRoute.FORWARDED,
                    contact="06 12345678",
                )
            )
        if programme_id == cross.a:
            cross.secrets += [f"Een voetbaltoernooi voor {name}"]
        return signup.id


async def signups_world(cross: Cross) -> Signups:
    cohort_a = await _cohort(cross, cross.a, A_GROUP)
    cohort_b = await _cohort(cross, cross.b, B_GROUP)
    cross.secrets += ["Karin Jansen", "06 12345678", "5223XK", A_GROUP]
    minor = await _signup(cross, cross.a, "Floortje", 15, SignupStatus.SUBMITTED, consent=True)
    ready = await _signup(cross, cross.a, "Jurre", 17, SignupStatus.SUBMITTED)
    awaiting = await _signup(cross, cross.a, "Isolde", 14, SignupStatus.AWAITING_CONSENT)
    own = await _signup(cross, cross.b, "Bas", 17, SignupStatus.SUBMITTED)
    return Signups(minor, ready, awaiting, cohort_a, cohort_b, own)


def decision(action: DecisionAction, signup: int, cohort: int = 0) -> str:
    return SignupDecision(action=action, signup=signup, cohort=cohort).pack()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_decision_on_a_signup_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    w = await signups_world(cross)
    payloads = []
    for signup in (w.minor, w.ready, w.awaiting):
        payloads += [
            decision(DecisionAction.SHOW, signup),
            decision(DecisionAction.PLACE, signup),
            decision(DecisionAction.WAIT, signup),
            decision(DecisionAction.ASK, signup),
            decision(DecisionAction.DECLINE, signup),
        ]
        for cohort in (w.cohort_a, w.cohort_b):
            payloads += [
                decision(DecisionAction.PLACE_IN, signup, cohort),
                decision(DecisionAction.WAIT_IN, signup, cohort),
            ]
    payloads += [
        decision(DecisionAction.VERIFY, w.minor),  # "Nagebeld en bevestigd"
        decision(DecisionAction.PAPER, w.awaiting),
        # the attacker's own signup into A's group
        decision(DecisionAction.PLACE_IN, w.own, w.cohort_a),
        decision(DecisionAction.WAIT_IN, w.own, w.cohort_a),
    ]
    cross.check(await cross.press(payloads))
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_question_decline_or_paper_consent_typed_after_a_forged_button(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """The typed steps: after a refused "Vraag stellen" / "Afwijzen" / "Papieren toestemming",
    the text the attacker types is no question, reason or parent's name for A's signup."""
    cross = await make_cross(harness, emu, kind)
    w = await signups_world(cross)
    for action, signup in (
        (DecisionAction.ASK, w.minor),
        (DecisionAction.DECLINE, w.ready),
        (DecisionAction.PAPER, w.awaiting),
    ):
        cross.check(await cross.press([decision(action, signup)]))
        cross.check(await cross.say("Karel de Vries, vader"), refused=False)
    async with harness.app.sessions() as session:
        statuses = {i: s for i, s in (await session.execute(select(Signup.id, Signup.status)))}
    cross.same(
        "the statuses of A's signups",
        [SignupStatus.SUBMITTED, SignupStatus.SUBMITTED, SignupStatus.AWAITING_CONSENT],
        [statuses[w.minor], statuses[w.ready], statuses[w.awaiting]],
    )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_invitation_link_for_a_group_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """`sd:inv` / `sd:invu` with A's group: no link to sign up into A's group."""
    cross = await make_cross(harness, emu, kind)
    w = await signups_world(cross)
    cross.check(
        await cross.press(
            [
                InviteCb(action=InviteAction.MAKE_LINK, max_uses=0, cohort=w.cohort_a).pack(),
                InviteCb(action=InviteAction.MAKE_LINK, max_uses=1, cohort=w.cohort_a).pack(),
            ]
        )
    )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_choosing_uses_for_a_group_of_another_programme_is_refused(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """`sd:inv` (how many may use the link?) acts on a group too: authorised against the
    group's programme like every action (it changes nothing and shows no name today, but it
    answers as if A's group were the attacker's)."""
    cross = await make_cross(harness, emu, kind)
    w = await signups_world(cross)
    cross.check(
        await cross.press([InviteCb(action=InviteAction.CHOOSE_USES, cohort=w.cohort_a).pack()])
    )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_no_withdrawing_a_consent_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """`su:withdraw` / `su:newlink` are the person's and the parent's own: a coordinator of
    anywhere gets nothing out of them for A's children."""
    cross = await make_cross(harness, emu, kind)
    w = await signups_world(cross)
    cross.check(
        await cross.press(
            [
                ConsentCb(action=ConsentAction.WITHDRAW, signup=w.minor).pack(),
                ConsentCb(action=ConsentAction.WITHDRAW, signup=w.awaiting).pack(),
                ConsentCb(action=ConsentAction.NEW_LINK, signup=w.awaiting).pack(),
            ]
        )
    )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_coordinator_commands_show_nothing_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """/aanmeldingen, /groepen, /uitnodiging: B's own (for B's coordinator), never A's."""
    cross = await make_cross(harness, emu, kind)
    await signups_world(cross)
    for command in ("/aanmeldingen", "/groepen", "/uitnodiging"):
        outcome = await cross.say(command)
        # B's coordinator may see B's lists; legacy holders are no coordinator at all
        cross.check(outcome, refused=kind is not Kind.COORDINATOR_B)
        if kind is Kind.COORDINATOR_B and command == "/aanmeldingen":
            texts = "\n".join(outcome.texts())
            assert "Bas" in texts, texts  # the attacker is a working coordinator of B
    await cross.done()


async def test_the_coordinator_of_b_does_decide_on_b(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """The control: the same buttons with B's own ids work for B's coordinator (so the
    refusals above are about the programme, not a broken coordinator)."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    w = await signups_world(cross)
    shown, placed = await cross.press(
        [
            decision(DecisionAction.SHOW, w.own),
            decision(DecisionAction.PLACE_IN, w.own, w.cohort_b),
        ]
    )
    assert not shown.refused() and any("Bas" in t for t in shown.texts()), shown.describe()
    assert not placed.refused() and placed.changes, placed.describe()
    assert not shown.leaks(cross.secrets) and not placed.leaks(cross.secrets)
    async with harness.app.sessions() as session:
        own = await session.get(Signup, w.own)
        assert own is not None and own.status == SignupStatus.PLACED
    await cross.done()
