"""Places in groups and opportunities, the waiting list and offers of freed places (issues 3, 6).

Rules:
- A group or opportunity has a capacity (groups default to 15, `GroupRules.capacity`). A person is
  placed when the placed count plus the open (unexpired) offers is below the capacity; otherwise
  they go on the waiting list. Placing someone in a full group is refused (`GROUP_FULL`).
- The waiting list is first come, first served per track: ordered by the moment of joining, ties
  broken by a sequence number from the database.
- When places are free, the next waiting people (in that order) are offered a place; an offer is
  valid for `WaitingListRules.offer_valid_hours` (48). An offer that expires is lapsed: the person
  leaves the list (they may join again at the back) and the place goes to the next person.
- An open offer holds its place, so freed places are never offered twice at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PlacementDecision(StrEnum):
    """Outcome of asking for a place."""

    PLACE = "place"
    WAIT_LIST = "wait_list"


class PlacementError(StrEnum):
    """Why a coordinator's placement was refused."""

    GROUP_FULL = "group_full"


class WaitStatus(StrEnum):
    """Where a waiting-list entry stands."""

    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"


@dataclass(frozen=True)
class GroupRules:
    """Per-programme group sizes."""

    capacity: int = 15
    """Most participants in a training group (PROGRAMME.md: at most 15)."""


@dataclass(frozen=True)
class WaitingListRules:
    """Per-programme waiting-list settings."""

    offer_valid_hours: int = 48
    """How long a person has to accept an offered place."""


@dataclass(frozen=True)
class WaitingEntry:
    """One person on a waiting list."""

    person_id: int
    track: str
    joined_at: datetime
    sequence: int
    status: WaitStatus = WaitStatus.WAITING
    offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class OfferPlan:
    """What to do with a waiting list now: lapse expired offers, make new ones."""

    lapse: tuple[int, ...]
    """Person ids whose offer has expired."""
    offer: tuple[int, ...]
    """Person ids to offer a place now, in order."""
    offers_expire_at: datetime


def free_places(capacity: int, placed: int, open_offers: int = 0) -> int:
    """Places neither taken nor held by an open offer (never negative)."""
    return max(0, capacity - placed - open_offers)


def decide_placement(capacity: int, placed: int, open_offers: int = 0) -> PlacementDecision:
    """PLACE when a place is free, otherwise WAIT_LIST."""
    if free_places(capacity, placed, open_offers) > 0:
        return PlacementDecision.PLACE
    return PlacementDecision.WAIT_LIST


def check_can_place(capacity: int, placed: int, open_offers: int = 0) -> PlacementError | None:
    """`GROUP_FULL` when a coordinator tries to place someone in a full group, else None."""
    if free_places(capacity, placed, open_offers) == 0:
        return PlacementError.GROUP_FULL
    return None


def offer_expires_at(offered_at: datetime, rules: WaitingListRules | None = None) -> datetime:
    """The moment an offer made at `offered_at` lapses."""
    rules = rules or WaitingListRules()
    return offered_at + timedelta(hours=rules.offer_valid_hours)


def offer_is_open(entry: WaitingEntry, now: datetime) -> bool:
    """True for an offered entry whose offer has not yet expired."""
    return (
        entry.status is WaitStatus.OFFERED
        and entry.offer_expires_at is not None
        and now < entry.offer_expires_at
    )


def waiting_order(entries: Iterable[WaitingEntry], track: str | None = None) -> list[WaitingEntry]:
    """Entries still waiting (of `track`, when given), first come first served."""
    waiting = [
        e for e in entries if e.status is WaitStatus.WAITING and (track is None or e.track == track)
    ]
    return sorted(waiting, key=lambda e: (e.joined_at, e.sequence))


def waiting_position(entries: Sequence[WaitingEntry], person_id: int) -> int | None:
    """1-based position of a person among the waiting entries of their track, or None."""
    mine = next((e for e in entries if e.person_id == person_id), None)
    if mine is None or mine.status is not WaitStatus.WAITING:
        return None
    order = waiting_order(entries, mine.track)
    return next(i for i, e in enumerate(order, start=1) if e.person_id == person_id)


def plan_offers(
    entries: Sequence[WaitingEntry],
    capacity: int,
    placed: int,
    now: datetime,
    track: str | None = None,
    rules: WaitingListRules | None = None,
) -> OfferPlan:
    """Lapse expired offers and offer the free places to the next waiting people of `track`.

    Idempotent: once the plan is stored (lapsed and offered entries updated), planning again at the
    same moment lapses and offers nobody.
    """
    relevant = [e for e in entries if track is None or e.track == track]
    lapse = tuple(
        e.person_id
        for e in relevant
        if e.status is WaitStatus.OFFERED and not offer_is_open(e, now)
    )
    open_offers = sum(1 for e in relevant if offer_is_open(e, now))
    free = free_places(capacity, placed, open_offers)
    offer = tuple(e.person_id for e in waiting_order(relevant)[:free])
    return OfferPlan(lapse=lapse, offer=offer, offers_expire_at=offer_expires_at(now, rules))
