"""Capacity, waiting list, offers and the group mix (issues 3 and 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.capacity import (
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
    waiting_order,
    waiting_position,
)
from domain.group_mix import NOT_ANSWERED, MixCell, age_band, mix

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
