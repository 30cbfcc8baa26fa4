"""Signup storage queries on SQLite and PostgreSQL, and the signup's small pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.signup.capacity import PlacementError, WaitingListRules
from domain.signup.settings import (
    ContactProblem,
    SignupSettings,
    clean_contact,
    token_hash,
    token_shape_ok,
)
from storage import migrate
from storage.course.models import Cohort
from storage.db import create_session_factory
from storage.models import Person, Programme
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.signup.models import Signup

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _signup(programme_id: int, person_id: int) -> Signup:
    return Signup(
        programme_id=programme_id, person_id=person_id, status="submitted", track="sport",
        age_at_signup=17, needs_consent=False, privacy_version="2026-1",
        privacy_accepted_at=T0, created_at=T0,
    )  # fmt: skip


async def test_capacity_waiting_list_and_tokens(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = Programme(name="Breda", timezone="Europe/Amsterdam", settings={}, created_at=T0)
        session.add(programme)
        await session.flush()
        cohort = Cohort(
            programme_id=programme.id, name="A", track="sport", capacity=1, created_at=T0
        )
        people = [Person(programme_id=programme.id, created_at=T0) for _ in range(3)]
        session.add_all([cohort, *people])
        await session.flush()
        rows = [_signup(programme.id, p.id) for p in people]
        session.add_all(rows)
        await session.flush()
        assert not isinstance(
            await signup_groups.place(session, rows[0], cohort, T0), PlacementError
        )
        assert await signup_groups.place(session, rows[1], cohort, T0) is PlacementError.GROUP_FULL
        assert await signup_groups.put_on_waiting_list(session, rows[1], cohort, T0) == 1
        later = T0 + dt.timedelta(minutes=1)
        assert await signup_groups.put_on_waiting_list(session, rows[2], cohort, later) == 2
        # nobody moves up while the group is full; a freed place goes to the first in line
        rules = WaitingListRules(offer_valid_hours=48)
        assert not (await signup_groups.move_up(session, programme.id, later, rules)).offered
        enrolment = await signup_groups._enrolment(session, cohort.id, people[0].id)
        assert enrolment is not None
        enrolment.status = "withdrawn"
        changes = await signup_groups.move_up(session, programme.id, later, rules)
        assert [e.person_id for e in changes.offered] == [people[1].id]
        assert not (await signup_groups.move_up(session, programme.id, later, rules)).offered
        expired = later + dt.timedelta(hours=48)
        changes = await signup_groups.move_up(session, programme.id, expired, rules)
        assert [e.person_id for e in changes.lapsed] == [people[1].id]
        assert [e.person_id for e in changes.offered] == [people[2].id]
        # consent tokens: hashed, re-issue invalidates, single use, expiry
        rows[0].status = "awaiting_consent"
        old = await signups.issue_consent_token(session, rows[0], T0, 14)
        new = await signups.issue_consent_token(session, rows[0], T0, 14)
        assert await signups.find_consent_request(session, old, T0) is signups.TokenProblem.USED
        found = await signups.find_consent_request(session, new, T0)
        assert isinstance(found, signups.ConsentRequest)
        assert found.token.token_hash == token_hash(new) != new
        late = T0 + dt.timedelta(days=14)
        assert (
            await signups.find_consent_request(session, new, late) is signups.TokenProblem.EXPIRED
        )
        assert await signups.mark_token_used(session, found.token, T0)
        assert not await signups.mark_token_used(session, found.token, T0)
        assert (
            await signups.find_consent_request(session, "x" * 65, T0)
            is signups.TokenProblem.UNKNOWN
        )
        counts = await signup_groups.signup_counts(session, programme.id)
        assert sum(counts.values()) == 3


def test_settings_from_programme_fall_back_to_defaults() -> None:
    rules = SignupSettings.from_mapping(
        {"min_age": 15, "max_age": 23, "postcode_ranges": [[5200, 5249]], "offer_valid_hours": "x"}
    )
    assert rules.eligibility.min_age == 15 and rules.eligibility.max_age == 23
    assert rules.area.allows("5211 AB") and not rules.area.allows("4811 AB")
    assert rules.waiting.offer_valid_hours == 48
    assert SignupSettings.from_mapping(None).eligibility.min_age == 14


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("06 12345678", True),
        ("+31 6 1234 5678", True),
        ("naam@voorbeeld.nl", True),
        ("0612", False),
        ("<script>@x.nl", False),
        ("bel mij", False),
        ("1" * 200, False),
    ],
)
def test_parent_contact(text: str, ok: bool) -> None:
    assert (not isinstance(clean_contact(text), ContactProblem)) is ok


def test_token_shape() -> None:
    assert token_shape_ok(signups.new_token())
    assert not token_shape_ok("short") and not token_shape_ok("has space in it!")
