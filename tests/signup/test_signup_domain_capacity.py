"""Capacity, waiting list, offers and the group mix (issues 3 and 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.signup.capacity import (
    ANY_TRACK,
    GroupSeats,
    PlacementDecision,
    PlacementError,
    WaitingEntry,
    WaitingListRules,
    WaitStatus,
    check_can_place,
    decide_placement,
    free_places,
    offer_expires_at,
    plan_offers,
    plan_pool_offers,
    waiting_order,
    waiting_position,
    waiting_track,
    waits_for,
)
from domain.signup.group_mix import NOT_ANSWERED, MixCell, age_band, mix

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def entry(pid: int, minutes: int, track: str = "sport", **kw: object) -> WaitingEntry:
    return WaitingEntry(pid, track, T0 + timedelta(minutes=minutes), sequence=pid, **kw)  # type: ignore[arg-type]


def test_place_or_wait() -> None:
    assert decide_placement(15, 14) is PlacementDecision.PLACE
    assert decide_placement(15, 15) is PlacementDecision.WAIT_LIST
    assert decide_placement(15, 14, open_offers=1) is PlacementDecision.WAIT_LIST
    assert check_can_place(15, 15) is PlacementError.GROUP_FULL
    assert check_can_place(15, 3) is None
    assert free_places(10, 12) == 0


def test_waiting_order_is_first_come_first_served_per_track() -> None:
    entries = [entry(3, 5), entry(1, 10), entry(2, 5, "culture"), entry(4, 5)]
    assert [e.person_id for e in waiting_order(entries, "sport")] == [3, 4, 1]
    assert [e.person_id for e in waiting_order(entries, "culture")] == [2]
    assert waiting_position(entries, 1) == 3
    assert waiting_position(entries, 2) == 1
    assert waiting_position(entries, 99) is None


def test_freed_place_goes_to_next_in_line() -> None:
    entries = [entry(1, 0), entry(2, 1), entry(3, 2, "culture")]
    plan = plan_offers(entries, capacity=15, placed=14, now=T0, track="sport")
    assert plan.offer == (1,)
    assert plan.lapse == ()
    assert plan.offers_expire_at == T0 + timedelta(hours=48)


def test_open_offer_holds_the_place_and_expired_offer_lapses() -> None:
    expires = offer_expires_at(T0, WaitingListRules(offer_valid_hours=24))
    offered = entry(1, 0, status=WaitStatus.OFFERED, offer_expires_at=expires)
    entries = [offered, entry(2, 1)]
    during = plan_offers(entries, 15, 14, T0 + timedelta(hours=23), "sport")
    assert during.offer == ()
    assert during.lapse == ()
    after = plan_offers(entries, 15, 14, expires, "sport")
    assert after.lapse == (1,)
    assert after.offer == (2,)


def test_no_offers_when_full() -> None:
    assert plan_offers([entry(1, 0)], 15, 15, T0).offer == ()


@given(
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=30),
)
def test_offers_never_exceed_free_places(capacity: int, placed: int, waiting: int) -> None:
    entries = [entry(i, i) for i in range(waiting)]
    plan = plan_offers(entries, capacity, placed, T0)
    assert len(plan.offer) == min(waiting, max(0, capacity - placed))
    assert list(plan.offer) == list(range(len(plan.offer)))


def test_thirty_people_for_ten_places() -> None:
    placed = 0
    decisions = []
    for _ in range(30):
        decision = decide_placement(10, placed)
        decisions.append(decision)
        if decision is PlacementDecision.PLACE:
            placed += 1
    assert decisions.count(PlacementDecision.PLACE) == 10


def on(group: int, pid: int, minutes: int, track: str = "sport", **kw: object) -> WaitingEntry:
    """An entry on the list of (or offered/declined in) `group`."""
    return WaitingEntry(
        pid,
        track,
        T0 + timedelta(minutes=minutes),
        sequence=pid,
        group_id=group,
        **kw,  # type: ignore[arg-type]
    )


SPORT_A, SPORT_B, CULTURE = (
    GroupSeats(1, "sport", 15, 15),
    GroupSeats(2, "sport", 15, 14),
    GroupSeats(3, "culture", 15, 15),
)


def test_undecided_people_wait_for_any_track() -> None:
    assert waiting_track("sport", "sport") == "sport"
    assert waiting_track("sport", "culture") == "culture"  # the coordinator chose the group
    assert waiting_track("unknown", "culture") == ANY_TRACK
    assert waits_for(ANY_TRACK, "sport") and waits_for(ANY_TRACK, "culture")
    assert waits_for("sport", None) and not waits_for("sport", "culture")
    entries = [entry(1, 0), entry(2, 1, ANY_TRACK), entry(3, 2, "culture")]
    assert [e.person_id for e in waiting_order(entries, "culture")] == [2, 3]
    assert [e.person_id for e in waiting_order(entries, "sport")] == [1, 2]
    assert waiting_position(entries, 2) == 2  # among everybody waiting
    assert waiting_position(entries, 3) == 2  # behind the undecided person


def test_a_freed_place_goes_to_the_first_of_the_track_in_any_group() -> None:
    entries = [on(1, 10, 0), on(2, 11, 1), on(3, 12, 2, "culture")]
    plan = plan_pool_offers(entries, [SPORT_A, SPORT_B, CULTURE], T0)
    assert plan.offers == ((2, 10),)  # waiting for A, offered B before B's own waiter
    assert plan.lapse == ()
    assert plan.offers_expire_at == T0 + timedelta(hours=48)


def test_a_culture_place_never_goes_to_a_sport_waiter() -> None:
    culture_free = GroupSeats(3, "culture", 15, 14)
    sport_only = [on(1, 10, 0), on(2, 11, 1)]
    assert plan_pool_offers(sport_only, [SPORT_A, culture_free], T0).offers == ()
    undecided = [*sport_only, on(1, 12, 5, ANY_TRACK)]
    assert plan_pool_offers(undecided, [SPORT_A, culture_free], T0).offers == ((3, 12),)


def test_own_group_first_and_nobody_gets_two_places() -> None:
    a_free, b_free = GroupSeats(1, "sport", 15, 14), GroupSeats(2, "sport", 15, 14)
    entries = [on(2, 10, 0), on(1, 11, 1), on(1, 12, 2)]
    assert plan_pool_offers(entries, [a_free, b_free], T0).offers == ((2, 10), (1, 11))
    # the same person on two lists counts once, at their earliest entry
    twice = [on(1, 10, 0), on(2, 10, 3), on(2, 11, 1)]
    assert plan_pool_offers(twice, [a_free, b_free], T0).offers == ((1, 10), (2, 11))


def test_an_offer_holds_the_person_and_the_place_until_it_lapses() -> None:
    until = T0 + timedelta(hours=48)
    offered = on(2, 10, 0, status=WaitStatus.OFFERED, offer_expires_at=until)
    entries = [on(1, 10, 0), offered, on(2, 11, 1)]
    during = plan_pool_offers(entries, [SPORT_A, SPORT_B], until - timedelta(seconds=1))
    assert during.offers == () and during.lapse == ()
    after = plan_pool_offers(entries, [SPORT_A, SPORT_B], until)
    assert after.lapse == (10,)  # leaves every list
    assert after.offers == ((2, 11),)


def test_a_declined_group_is_not_offered_again() -> None:
    declined = on(2, 10, 0, status=WaitStatus.DECLINED)
    entries = [on(1, 10, 0), declined, on(2, 11, 1)]
    assert plan_pool_offers(entries, [SPORT_A, SPORT_B], T0).offers == ((2, 11),)
    a_free = GroupSeats(1, "sport", 15, 14)
    assert plan_pool_offers(entries, [a_free, SPORT_B], T0).offers == ((1, 10), (2, 11))


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=3),
            st.integers(min_value=0, max_value=8),
            st.sampled_from(["sport", "culture", ANY_TRACK]),
        ),
        max_size=20,
    ),
    st.lists(st.integers(min_value=0, max_value=3), min_size=3, max_size=3),
)
def test_pool_offers_respect_places_tracks_and_people(
    rows: list[tuple[int, int, str]], free: list[int]
) -> None:
    groups = [
        GroupSeats(1, "sport", 5, 5 - free[0]),
        GroupSeats(2, "sport", 5, 5 - free[1]),
        GroupSeats(3, "culture", 5, 5 - free[2]),
    ]
    entries = [on(g, pid, n, track) for n, (g, pid, track) in enumerate(rows)]
    plan = plan_pool_offers(entries, groups, T0)
    people = [pid for _, pid in plan.offers]
    assert len(people) == len(set(people))
    for group in groups:
        given_here = [pid for gid, pid in plan.offers if gid == group.group_id]
        assert len(given_here) <= group.capacity - group.placed
    for gid, pid in plan.offers:
        group = next(g for g in groups if g.group_id == gid)
        assert any(p == pid and waits_for(t, group.track) for _, p, t in rows)
    # nobody waiting of a track is skipped while a place of that track stays free
    left = {g.group_id: g.capacity - g.placed for g in groups}
    for gid, _ in plan.offers:
        left[gid] -= 1
    first_rows = {e.person_id: e for e in waiting_order(entries)}
    for pid, e in first_rows.items():
        if pid not in people:
            assert all(left[g.group_id] == 0 for g in groups if waits_for(e.track, g.track))


def test_mix_suppresses_small_cells() -> None:
    answers = ["man"] * 7 + ["vrouw"] * 6 + ["anders"] + [None]
    cells = mix(answers, categories=["vrouw", "man", "anders"])
    assert cells == (
        MixCell("vrouw", 6),
        MixCell("man", 7),
        MixCell("anders", None),
        MixCell(NOT_ANSWERED, None),
    )
    assert cells[2].suppressed
    assert mix([], categories=["x"]) == (MixCell("x", None),)
    assert mix(["a"] * 5) == (MixCell("a", 5),)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (13, "<14"),
        (14, "14-15"),
        (15, "14-15"),
        (16, "16-17"),
        (23, "18-23"),
        (24, "24+"),
        (70, "24+"),
    ],
)
def test_age_band(age: int, band: str) -> None:
    assert age_band(age) == band
