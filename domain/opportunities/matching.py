"""Which opportunities suit which person, and the best few for a nudge (issues 6, 7).

An opportunity suits a person when none of these hold (each is a `Mismatch`):
- OPTED_OUT: the person switched opportunity messages off; UNREACHABLE: they blocked the bot;
- ALREADY_SIGNED_UP: they have a place or a waiting-list entry for it;
- CLOSED: the sign-up deadline has passed, or a dated opportunity has already started;
- TRACK: the tracks differ. `Track.BOTH` on an opportunity suits everyone; on a person it means
  "both" or "weet ik nog niet" and is suited by every opportunity;
- TOO_YOUNG: the opportunity has a minimum age and the person is younger on the opportunity's
  local date (on today's local date for an ongoing, "doorlopend", opportunity); AGE_UNKNOWN when
  a minimum age is set and the date of birth is not known;
- OUTSIDE_AREA: the opportunity is limited to neighbourhoods (compared case-insensitively) and/or
  postcode ranges (inclusive four-digit ranges), and the person is in none of them.
Who may join or view an opportunity (`join_mismatches`, the one rule every "Ik doe mee", "Meer
info", /kansen and broadcast uses): a person of the opportunity's programme (OTHER_PROGRAMME)
who holds a role that may join it there (ROLE: Citytrainers, and participants when the
opportunity is for trainees, `roles_that_may_join`), and for whom none of CLOSED, TRACK,
TOO_YOUNG, AGE_UNKNOWN or OUTSIDE_AREA holds (`JOIN_REASONS`; opting out, being unreachable and
already having a place are about messages, not about being allowed).
Ranking for a nudge (`best_matches`): suitable opportunities with a free place, dated ones first
by start (soonest first), then ongoing ones by deadline (none last), then by id; at most 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.dates import age_on
from domain.local_time import AMSTERDAM
from domain.postcodes import postcode_in_ranges
from domain.roles import Role

MAX_NUDGE_MATCHES = 3
"""Most opportunities shown in one nudge."""


class Track(StrEnum):
    """Course track; BOTH also stands for "weet ik nog niet" on a person."""

    SPORT = "sport"
    CULTURE = "culture"
    BOTH = "both"


class Mismatch(StrEnum):
    """Why an opportunity does not suit a person."""

    OPTED_OUT = "opted_out"
    UNREACHABLE = "unreachable"
    ALREADY_SIGNED_UP = "already_signed_up"
    CLOSED = "closed"
    TRACK = "track"
    TOO_YOUNG = "too_young"
    AGE_UNKNOWN = "age_unknown"
    OUTSIDE_AREA = "outside_area"
    OTHER_PROGRAMME = "other_programme"
    ROLE = "role"


JOIN_REASONS: frozenset[Mismatch] = frozenset(
    {
        Mismatch.CLOSED,
        Mismatch.TRACK,
        Mismatch.TOO_YOUNG,
        Mismatch.AGE_UNKNOWN,
        Mismatch.OUTSIDE_AREA,
    }
)
"""The mismatches of `mismatches` that keep a person from joining (see the module docstring)."""


@dataclass(frozen=True)
class MatchPerson:
    """What matching needs to know about a person."""

    person_id: int
    track: Track
    birth_date: date | None = None
    neighbourhood: str | None = None
    postcode: str | None = None
    """Canonical "1234 AB"."""
    opportunity_messages_off: bool = False
    reachable: bool = True
    signed_up_for: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class MatchOpportunity:
    """What matching needs to know about an opportunity."""

    opportunity_id: int
    track: Track
    starts_at: datetime | None = None
    """None for an ongoing ("doorlopend") opportunity."""
    signup_deadline: datetime | None = None
    min_age: int | None = None
    neighbourhoods: frozenset[str] = field(default_factory=frozenset)
    postcode_ranges: tuple[tuple[int, int], ...] = ()
    places_left: int | None = None
    """None when the number of places is not limited."""


def _tracks_match(person: Track, opportunity: Track) -> bool:
    return Track.BOTH in (person, opportunity) or person is opportunity


def _in_area(person: MatchPerson, opp: MatchOpportunity) -> bool:
    if not opp.neighbourhoods and not opp.postcode_ranges:
        return True
    wanted = {n.casefold() for n in opp.neighbourhoods}
    if person.neighbourhood is not None and person.neighbourhood.casefold() in wanted:
        return True
    return (
        bool(opp.postcode_ranges)
        and person.postcode is not None
        and postcode_in_ranges(person.postcode, opp.postcode_ranges)
    )


def mismatches(
    person: MatchPerson, opp: MatchOpportunity, now: datetime, tz: ZoneInfo = AMSTERDAM
) -> tuple[Mismatch, ...]:
    """Every reason the opportunity does not suit the person; empty when it does."""
    reasons: list[Mismatch] = []
    if person.opportunity_messages_off:
        reasons.append(Mismatch.OPTED_OUT)
    if not person.reachable:
        reasons.append(Mismatch.UNREACHABLE)
    if opp.opportunity_id in person.signed_up_for:
        reasons.append(Mismatch.ALREADY_SIGNED_UP)
    deadline_passed = opp.signup_deadline is not None and now >= opp.signup_deadline
    if deadline_passed or (opp.starts_at is not None and now >= opp.starts_at):
        reasons.append(Mismatch.CLOSED)
    if not _tracks_match(person.track, opp.track):
        reasons.append(Mismatch.TRACK)
    if opp.min_age is not None:
        if person.birth_date is None:
            reasons.append(Mismatch.AGE_UNKNOWN)
        else:
            on = (opp.starts_at or now).astimezone(tz).date()
            if on < person.birth_date or age_on(person.birth_date, on) < opp.min_age:
                reasons.append(Mismatch.TOO_YOUNG)
    if not _in_area(person, opp):
        reasons.append(Mismatch.OUTSIDE_AREA)
    return tuple(reasons)


def suits(
    person: MatchPerson, opp: MatchOpportunity, now: datetime, tz: ZoneInfo = AMSTERDAM
) -> bool:
    """True when the opportunity suits the person at `now`."""
    return not mismatches(person, opp, now, tz)


def roles_that_may_join(for_trainees: bool) -> frozenset[Role]:
    """Citytrainers may join any opportunity; participants only one for trainees."""
    if for_trainees:
        return frozenset({Role.CITYTRAINER, Role.PARTICIPANT})
    return frozenset({Role.CITYTRAINER})


def join_mismatches(
    person: MatchPerson,
    opp: MatchOpportunity,
    now: datetime,
    *,
    same_programme: bool,
    roles: frozenset[Role],
    for_trainees: bool,
    tz: ZoneInfo = AMSTERDAM,
) -> tuple[Mismatch, ...]:
    """Every reason the person may not join (or see) the opportunity; empty when they may.

    `same_programme`: the person belongs to the opportunity's programme; `roles`: the roles the
    person holds in the opportunity's programme.
    """
    reasons: list[Mismatch] = []
    if not same_programme:
        reasons.append(Mismatch.OTHER_PROGRAMME)
    if not roles & roles_that_may_join(for_trainees):
        reasons.append(Mismatch.ROLE)
    reasons += [m for m in mismatches(person, opp, now, tz) if m in JOIN_REASONS]
    return tuple(reasons)


def best_matches(
    person: MatchPerson,
    opportunities: Iterable[MatchOpportunity],
    now: datetime,
    tz: ZoneInfo = AMSTERDAM,
    limit: int = MAX_NUDGE_MATCHES,
) -> list[MatchOpportunity]:
    """Up to `limit` suitable opportunities with a free place, soonest dated first."""
    candidates = [
        o
        for o in opportunities
        if (o.places_left is None or o.places_left > 0) and suits(person, o, now, tz)
    ]

    def key(o: MatchOpportunity) -> tuple[int, datetime, int, datetime, int]:
        start = o.starts_at or now
        deadline = o.signup_deadline or now
        return (
            o.starts_at is None,
            start,
            o.signup_deadline is None,
            deadline,
            o.opportunity_id,
        )

    return sorted(candidates, key=key)[:limit]
