"""Places in groups and opportunities, the waiting list and offers of freed places (issues 3, 6).

Rules:
- A group or opportunity has a capacity (groups default to 15, `GroupRules.capacity`). A person is
  placed when the placed count plus the open (unexpired) offers is below the capacity; otherwise
  they go on the waiting list. Placing someone in a full group is refused (`GROUP_FULL`).
- The waiting list is first come, first served per track: ordered by the moment of joining, ties
  broken by a sequence number from the database. A person waits on the list of one group, but a
  freed place in any group of the same track (sport or culture) of the programme goes to the
  earliest waiting person of that track, whichever group's list they joined (`plan_pool_offers`).
  When several groups have a free place at once, a person is offered their own group first.
- Someone who answered "weet ik nog niet" waits for any track (`ANY_TRACK`): they are offered the
  first free place of either track when it is their turn, and count in both queues.
- When places are free, the next waiting people (in that order) are offered a place; an offer is
  valid for `WaitingListRules.offer_valid_hours` (48). An offer that expires is lapsed: the person
  leaves the list (they may join again at the back) and the place goes to the next person.
- An open offer holds its place, so freed places are never offered twice at the same time, and a
  person with an offer is not offered a second place.
- Declining an offer: in one's own group, the person leaves the list (like a lapse); in another
  group, they keep their place on their own group's list and are not offered that group again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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
    group_id: int | None = None
    """The group whose list the person is on (WAITING) or whose place was offered/declined."""


ANY_TRACK = "any"
"""The track a "weet ik nog niet" person waits for: a place in a group of any track."""


def waiting_track(chosen_track: str, group_track: str) -> str:
    """The track a person waits for: their own choice of track, or any track when undecided."""
    return group_track if chosen_track in ("sport", "culture") else ANY_TRACK


def waits_for(entry_track: str, track: str | None) -> bool:
    """True when someone waiting for `entry_track` may get a place of `track` (None: any)."""
    return track is None or entry_track in (track, ANY_TRACK)


@dataclass(frozen=True)
class GroupSeats:
    """One group of a waiting-list pool: its track and how many places are taken."""

    group_id: int
    track: str
    capacity: int
    placed: int


@dataclass(frozen=True)
class PoolOfferPlan:
    """What to do with the waiting lists of a programme's groups now."""

    lapse: tuple[int, ...]
    """Person ids whose offer has expired (they leave the waiting list)."""
    offers: tuple[tuple[int, int], ...]
    """(group id, person id) pairs to offer a place now, in order."""
    offers_expire_at: datetime


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
    """People still waiting for a place of `track` (any, when None), first come first served.

    "Weet ik nog niet" people (`ANY_TRACK`) wait for every track. A person with an offer (open or
    about to lapse) is not waiting; a person on several lists counts once, at their earliest entry.
    """
    entries = list(entries)
    offered = {e.person_id for e in entries if e.status is WaitStatus.OFFERED}
    waiting = sorted(
        (
            e
            for e in entries
            if e.status is WaitStatus.WAITING
            and e.person_id not in offered
            and waits_for(e.track, track)
        ),
        key=lambda e: (e.joined_at, e.sequence),
    )
    seen: set[int] = set()
    order = []
    for e in waiting:
        if e.person_id not in seen:
            seen.add(e.person_id)
            order.append(e)
    return order


def waiting_position(entries: Sequence[WaitingEntry], person_id: int) -> int | None:
    """1-based position of a person among the people waiting for their track, or None.

    For a "weet ik nog niet" person that is their place among everybody waiting.
    """
    mine = next(
        (e for e in entries if e.person_id == person_id and e.status is WaitStatus.WAITING), None
    )
    if mine is None:
        return None
    order = waiting_order(entries, None if mine.track == ANY_TRACK else mine.track)
    return next((i for i, e in enumerate(order, start=1) if e.person_id == person_id), None)


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
    relevant = [e for e in entries if waits_for(e.track, track)]
    lapse = tuple(
        e.person_id
        for e in relevant
        if e.status is WaitStatus.OFFERED and not offer_is_open(e, now)
    )
    open_offers = sum(1 for e in relevant if offer_is_open(e, now))
    free = free_places(capacity, placed, open_offers)
    offer = tuple(e.person_id for e in waiting_order(relevant)[:free])
    return OfferPlan(lapse=lapse, offer=offer, offers_expire_at=offer_expires_at(now, rules))


def plan_pool_offers(
    entries: Sequence[WaitingEntry],
    groups: Collection[GroupSeats],
    now: datetime,
    rules: WaitingListRules | None = None,
) -> PoolOfferPlan:
    """Lapse expired offers and hand out the free places of all `groups` (a programme's groups).

    Goes through the waiting people first come first served (all tracks together); each gets a
    place in a group of their track (any group for `ANY_TRACK`) that has a free place: their own
    group when it has one, else the free group with the lowest id. A person is never offered a
    group they declined, nor two places. Idempotent like `plan_offers`.
    """
    lapse = tuple(
        sorted(
            {
                e.person_id
                for e in entries
                if e.status is WaitStatus.OFFERED and not offer_is_open(e, now)
            }
        )
    )
    open_offers = [e for e in entries if offer_is_open(e, now)]
    free = {
        g.group_id: free_places(
            g.capacity, g.placed, sum(1 for e in open_offers if e.group_id == g.group_id)
        )
        for g in groups
    }
    declined = {(e.person_id, e.group_id) for e in entries if e.status is WaitStatus.DECLINED}
    own: dict[int, set[int | None]] = {}
    for e in entries:
        if e.status is WaitStatus.WAITING:
            own.setdefault(e.person_id, set()).add(e.group_id)
    offers: list[tuple[int, int]] = []
    lapsing = set(lapse)
    for e in waiting_order(entries):
        if e.person_id in lapsing:
            continue
        fits = sorted(
            (
                g
                for g in groups
                if free[g.group_id] > 0
                and waits_for(e.track, g.track)
                and (e.person_id, g.group_id) not in declined
            ),
            key=lambda g: (g.group_id not in own.get(e.person_id, set()), g.group_id),
        )
        if fits:
            free[fits[0].group_id] -= 1
            offers.append((fits[0].group_id, e.person_id))
    return PoolOfferPlan(
        lapse=lapse, offers=tuple(offers), offers_expire_at=offer_expires_at(now, rules)
    )
