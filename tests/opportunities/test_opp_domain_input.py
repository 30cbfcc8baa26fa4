"""Unit tests of domain.opportunity_input."""

from __future__ import annotations

from datetime import date, datetime, time

from domain.opportunities.input import MomentError, parse_count, parse_moment, parse_neighbourhoods

TODAY = date(2026, 3, 2)


def test_full_moment() -> None:
    assert parse_moment("12-04-2026 14:00", TODAY) == datetime(2026, 4, 12, 14, 0)
    assert parse_moment("12/4/26 9.30", TODAY) == datetime(2026, 4, 12, 9, 30)
    assert parse_moment("12-4-2026 om 9:30", TODAY) == datetime(2026, 4, 12, 9, 30)


def test_without_time_or_year() -> None:
    assert parse_moment("12-04-2026", TODAY) == datetime(2026, 4, 12, 23, 59)
    assert parse_moment("12-4", TODAY, time(10)) == datetime(2026, 4, 12, 10, 0)
    assert parse_moment("1-1", TODAY) == datetime(2027, 1, 1, 23, 59)


def test_refused() -> None:
    assert parse_moment("morgen", TODAY) is MomentError.UNREADABLE
    assert parse_moment("31-02-2026", TODAY) is MomentError.IMPOSSIBLE
    assert parse_moment("12-04-2026 25:00", TODAY) is MomentError.IMPOSSIBLE
    assert parse_moment("01-03-2026", TODAY) is MomentError.IN_PAST
    assert parse_moment("02-03-2026", TODAY) == datetime(2026, 3, 2, 23, 59)


def test_counts_and_neighbourhoods() -> None:
    assert parse_count(" 10 ", 1, 500) == 10
    assert parse_count("0", 1, 500) is None
    assert parse_count("tien", 1, 500) is None
    assert parse_count("-3", 0, 5) is None
    assert parse_neighbourhoods("Noord, West ,noord,, De  Muntel") == ("Noord", "West", "De Muntel")
