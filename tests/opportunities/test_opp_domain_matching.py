"""Opportunity matching and ranking (issues 6 and 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.opportunities.matching import (
    MatchOpportunity,
    MatchPerson,
    Mismatch,
    Track,
    best_matches,
    mismatches,
    suits,
)

NOW = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def person(**kw: object) -> MatchPerson:
    fields: dict[str, object] = {
        "person_id": 1,
        "track": Track.SPORT,
        "birth_date": date(2009, 5, 10),
        "neighbourhood": "Noord",
        "postcode": "5224 AB",
    }
    fields.update(kw)
    return MatchPerson(**fields)  # type: ignore[arg-type]


def opp(oid: int = 10, **kw: object) -> MatchOpportunity:
    fields: dict[str, object] = {"track": Track.SPORT, "starts_at": NOW + 7 * DAY}
    fields.update(kw)
    return MatchOpportunity(oid, **fields)  # type: ignore[arg-type]


def test_tracks() -> None:
    assert suits(person(), opp(), NOW)
    assert mismatches(person(), opp(track=Track.CULTURE), NOW) == (Mismatch.TRACK,)
    assert suits(person(), opp(track=Track.BOTH), NOW)
    assert suits(person(track=Track.BOTH), opp(track=Track.CULTURE), NOW)


def test_minimum_age_on_the_opportunity_date() -> None:
    # turns 16 on 10 May 2025
    assert Mismatch.TOO_YOUNG in mismatches(
        person(), opp(min_age=16, starts_at=datetime(2025, 5, 9, 12, tzinfo=UTC)), NOW
    )
    assert suits(person(), opp(min_age=16, starts_at=datetime(2025, 5, 10, 12, tzinfo=UTC)), NOW)
    # 22:30 UTC on 9 May is already 10 May in Amsterdam
    assert suits(person(), opp(min_age=16, starts_at=datetime(2025, 5, 9, 22, 30, tzinfo=UTC)), NOW)
    ongoing = opp(min_age=16, starts_at=None)
    assert Mismatch.TOO_YOUNG in mismatches(person(), ongoing, NOW)
    assert suits(person(), ongoing, NOW + 10 * DAY)
    assert mismatches(person(birth_date=None), ongoing, NOW) == (Mismatch.AGE_UNKNOWN,)


def test_area_by_neighbourhood_or_postcode() -> None:
    assert suits(person(), opp(neighbourhoods=frozenset({"noord", "West"})), NOW)
    assert suits(person(neighbourhood=None), opp(postcode_ranges=((5220, 5229),)), NOW)
    outside = opp(neighbourhoods=frozenset({"Zuid"}), postcode_ranges=((5200, 5210),))
    assert mismatches(person(), outside, NOW) == (Mismatch.OUTSIDE_AREA,)
    unknown = person(neighbourhood=None, postcode=None)
    assert mismatches(unknown, opp(neighbourhoods=frozenset({"Noord"})), NOW) == (
        Mismatch.OUTSIDE_AREA,
    )


def test_person_state_and_closed() -> None:
    assert mismatches(person(opportunity_messages_off=True), opp(), NOW) == (Mismatch.OPTED_OUT,)
    assert mismatches(person(reachable=False), opp(), NOW) == (Mismatch.UNREACHABLE,)
    assert mismatches(person(signed_up_for=frozenset({10})), opp(), NOW) == (
        Mismatch.ALREADY_SIGNED_UP,
    )
    assert mismatches(person(), opp(signup_deadline=NOW), NOW) == (Mismatch.CLOSED,)
    assert mismatches(person(), opp(starts_at=NOW - DAY), NOW) == (Mismatch.CLOSED,)


def test_best_matches_soonest_dated_first() -> None:
    opportunities = [
        opp(1, starts_at=None, signup_deadline=NOW + 3 * DAY),
        opp(2, starts_at=NOW + 9 * DAY),
        opp(3, starts_at=NOW + 2 * DAY),
        opp(4, starts_at=NOW + 1 * DAY, places_left=0),
        opp(5, starts_at=NOW + 4 * DAY, track=Track.CULTURE),
        opp(6, starts_at=None),
        opp(7, starts_at=NOW + 5 * DAY, places_left=2),
    ]
    ranked = best_matches(person(), opportunities, NOW)
    assert [o.opportunity_id for o in ranked] == [3, 7, 2]
    everything = best_matches(person(), opportunities, NOW, limit=10)
    assert [o.opportunity_id for o in everything] == [3, 7, 2, 1, 6]
    assert best_matches(person(reachable=False), opportunities, NOW) == []


@given(st.lists(st.integers(min_value=-5, max_value=30), max_size=10))
def test_best_matches_are_suitable_sorted_and_few(days: list[int]) -> None:
    opportunities = [opp(i, starts_at=NOW + d * DAY) for i, d in enumerate(days)]
    ranked = best_matches(person(), opportunities, NOW)
    assert len(ranked) <= 3
    assert all(suits(person(), o, NOW) for o in ranked)
    starts = [o.starts_at for o in ranked]
    assert starts == sorted(starts)  # type: ignore[type-var]
