"""The day of logged hours as people type it (domain.hours_dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.hours.dates import WorkDateError, parse_work_date

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vandaag", TODAY),
        ("Gisteren", date(2026, 3, 1)),
        ("eergisteren", date(2026, 2, 28)),
        ("1-3", date(2026, 3, 1)),
        ("28/2", date(2026, 2, 28)),
        ("14.2.2026", date(2026, 2, 14)),
        ("14-02-26", date(2026, 2, 14)),
        ("14 februari", date(2026, 2, 14)),
        ("1 mrt 2026", date(2026, 3, 1)),
        ("3-3-2026", WorkDateError.FUTURE),
        ("3-3", WorkDateError.TOO_OLD),  # without a year: last year's 3 March
        ("1-1", WorkDateError.TOO_OLD),
        ("31-2", WorkDateError.UNREADABLE),
        ("morgen", WorkDateError.UNREADABLE),
        ("12 blabla", WorkDateError.UNREADABLE),
        ("", WorkDateError.UNREADABLE),
    ],
)
def test_parse_work_date(text: str, expected: object) -> None:
    assert parse_work_date(text, TODAY) == expected


@given(st.text(max_size=60))
def test_never_raises_and_never_accepts_out_of_range(text: str) -> None:
    result = parse_work_date(text, TODAY)
    if isinstance(result, date):
        assert TODAY - timedelta(days=30) <= result <= TODAY


@given(st.integers(min_value=0, max_value=30))
def test_every_day_of_the_last_30_days_is_accepted(days: int) -> None:
    day = TODAY - timedelta(days=days)
    assert parse_work_date(day.strftime("%d-%m-%Y"), TODAY) == day
