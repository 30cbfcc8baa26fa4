"""Joining or seeing an opportunity is checked again in storage (issue 11, point 5), on SQLite
and PostgreSQL: a person too young, of another programme, without a role that may join, or of
another track gets no place, no waiting-list entry and no outbox row; /kansen lists only what the
person may join; a refusal is logged once, without personal data."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.opportunities.matching import (
    MatchOpportunity,
    MatchPerson,
    Mismatch,
    Track,
    join_mismatches,
)
from domain.opportunities.status import JoinOutcome, OpportunityStatus
from domain.roles import Role
from storage import migrate, people
from storage.db import create_session_factory
from storage.models import OutboxMessage, Person
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity, OpportunitySignup

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
FOURTEEN = dt.date(2011, 9, 1)
ADULT = dt.date(1990, 5, 5)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def _person(
    s: AsyncSession, programme_id: int, n: int, role: Role | None, birth: dt.date | None
) -> int:
    member = await people.create_member(
        s,
        programme_id=programme_id,
        channel="telegram",
        external_id=str(1000 + n),
        chat_id=str(1000 + n),
        display_name=None,
        first_name=f"Naam{n}",
        now=NOW,
    )
    member.person.birth_date = birth
    if role is not None:
        await people.grant_role(s, member.person.id, programme_id, role, NOW)
    return member.person.id


async def _opp(s: AsyncSession, programme_id: int, title: str, **extra: object) -> int:
    values: dict[str, object] = {
        "programme_id": programme_id,
        "title": title,
        "places": 5,
        "track": Track.BOTH,
        "status": OpportunityStatus.OPEN,
        "created_at": NOW,
        "for_trainees": False,
    }
    opp = Opportunity(**(values | extra))
    s.add(opp)
    await s.flush()
    return opp.id


async def test_join_is_refused_unless_the_person_may_join(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    async with sessions.begin() as s:
        home = (await people.ensure_programme(s, "Den Bosch", "Europe/Amsterdam", NOW)).id
        other = (await people.ensure_programme(s, "Oss", "Europe/Amsterdam", NOW)).id
        lisa = await _person(s, home, 1, Role.CITYTRAINER, FOURTEEN)
        pim = await _person(s, home, 2, Role.PARTICIPANT, ADULT)
        nobody = await _person(s, home, 3, None, ADULT)
        staff = await _person(s, home, 4, Role.COORDINATOR, ADULT)
        oss_ct = await _person(s, other, 5, Role.CITYTRAINER, ADULT)
        adult_only = await _opp(s, home, "Nachtdienst", min_age=18)
        for_all = await _opp(s, home, "Buurtfeest")
        for_trainees = await _opp(s, home, "Oefendag", for_trainees=True)
        in_oss = await _opp(s, other, "Kermis Oss")

    caplog.set_level(logging.INFO)
    refused = [
        (lisa, adult_only),  # 14, the opportunity is 18+
        (lisa, in_oss),  # another programme's
        (pim, for_all),  # a participant, the opportunity is for Citytrainers only
        (nobody, for_trainees),  # no role at all
        (staff, for_all),  # a coordinator takes no places
        (oss_ct, for_all),  # a Citytrainer of another programme
    ]
    for person_id, opp_id in refused:
        async with sessions.begin() as s:
            result = await opportunities.join(s, opp_id, person_id, NOW)
            assert result.status == JoinOutcome.REFUSED, (person_id, opp_id)
            assert await opportunities.viewable(s, opp_id, person_id, NOW) is None
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OpportunitySignup)) == 0
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert set(await s.scalars(select(Opportunity.places_taken))) == {0}
    joins = [r for r in caplog.records if "join refused" in r.getMessage()]
    assert len(joins) == len(refused)  # once each
    assert all(r.levelno == logging.WARNING for r in joins)
    # only the opportunity and the reasons: no name, no Telegram id, no person id
    assert all(
        re.fullmatch(r"opportunity \d+: join refused \([a-z_,]+\)", r.getMessage()) for r in joins
    )
    assert "Naam" not in caplog.text

    # what they may join, they can; /kansen lists exactly that
    async with sessions.begin() as s:
        assert (await opportunities.join(s, for_all, lisa, NOW)).status == JoinOutcome.PLACED
        assert (await opportunities.join(s, for_trainees, pim, NOW)).status == JoinOutcome.PLACED
        assert await opportunities.viewable(s, in_oss, oss_ct, NOW) is not None
        lisa_person = await s.get(Person, lisa)
        pim_person = await s.get(Person, pim)
        assert lisa_person is not None and pim_person is not None
        assert {o.id for o in await opportunities.open_for_person(s, lisa_person, NOW)} == {
            for_all,
            for_trainees,
        }
        assert {o.id for o in await opportunities.open_for_person(s, pim_person, NOW)} == {
            for_trainees
        }


def test_join_mismatches_rule() -> None:
    young = MatchPerson(person_id=1, track=Track.SPORT, birth_date=FOURTEEN)
    adult_only = MatchOpportunity(opportunity_id=9, track=Track.BOTH, min_age=18)
    culture = MatchOpportunity(opportunity_id=8, track=Track.CULTURE)
    citytrainer = frozenset({Role.CITYTRAINER})
    rule = join_mismatches
    assert rule(
        young, adult_only, NOW, same_programme=True, roles=citytrainer, for_trainees=False
    ) == (Mismatch.TOO_YOUNG,)
    assert rule(
        young, culture, NOW, same_programme=False, roles=frozenset(), for_trainees=False
    ) == (Mismatch.OTHER_PROGRAMME, Mismatch.ROLE, Mismatch.TRACK)
    participant = frozenset({Role.PARTICIPANT})
    anyone = MatchOpportunity(opportunity_id=7, track=Track.BOTH)
    assert rule(young, anyone, NOW, same_programme=True, roles=participant, for_trainees=True) == ()
    assert rule(young, anyone, NOW, same_programme=True, roles=participant, for_trainees=False) == (
        Mismatch.ROLE,
    )
    # opting out or having a place already does not keep anyone from joining
    opted_out = MatchPerson(
        person_id=2, track=Track.BOTH, opportunity_messages_off=True, signed_up_for=frozenset({7})
    )
    assert (
        rule(opted_out, anyone, NOW, same_programme=True, roles=citytrainer, for_trainees=False)
        == ()
    )
