"""Hours parsing, formatting and the day total (issue 5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.hours.amounts import HoursError, HoursRules, check_day_total, format_hours, parse_hours


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2", 120),
        ("2,5", 150),
        ("2.5", 150),
        (" 2,5 ", 150),
        ("2:30", 150),
        ("2u30", 150),
        ("2 u 30", 150),
        ("2U30", 150),
        ("2h30m", 150),
        ("2 uur", 120),
        ("2 uur 30", 150),
        ("2 uur en 30 minuten", 150),
        ("2,5 uur", 150),
        ("2u", 120),
        ("90 min", 90),
        ("90 minuten", 90),
        ("45m", 45),
        ("anderhalf", 90),
        ("Anderhalf uur", 90),
        ("half", 30),
        ("een half uur", 30),
        ("halfuur", 30),
        ("kwartier", 15),
        ("een kwartier", 15),
        ("drie kwartier", 45),
        ("driekwartier", 45),
        ("twee", 120),
        ("één uur", 60),
        ("twaalf uur", 720),
        ("tweeënhalf uur", 150),
        ("twee en een half uur", 150),
        ("2 en half", 150),
        ("2½", 150),
        ("½ uur", 30),
        ("1 uur en een kwartier", 75),
        ("1 uur en drie kwartier", 105),
        ("vijfenveertig minuten", 45),
        ("0,25", 15),
        ("0,75", 45),
        ("1:14", 75),
        ("1:16", 75),
        ("14 min", 15),
        ("721 min", 720),
        ("2 uur.", 120),
    ],
)
def test_parse_hours_accepts(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", HoursError.UNREADABLE),
        ("nee", HoursError.UNREADABLE),
        ("-2", HoursError.UNREADABLE),
        ("2 half", HoursError.UNREADABLE),
        ("2:75", HoursError.UNREADABLE),
        ("1e3", HoursError.UNREADABLE),
        ("٣", HoursError.UNREADABLE),
        ("<b>2</b>", HoursError.UNREADABLE),
        ("2" * 200, HoursError.UNREADABLE),
        ("0", HoursError.TOO_SMALL),
        ("nul", HoursError.TOO_SMALL),
        ("10 min", HoursError.TOO_SMALL),
        ("0,1", HoursError.TOO_SMALL),
        ("13", HoursError.TOO_LARGE),
        ("12,25", HoursError.TOO_LARGE),
        ("999999", HoursError.TOO_LARGE),
        ("722 min", HoursError.TOO_LARGE),
        ("1,3", HoursError.NOT_QUARTER),
        ("0,33", HoursError.NOT_QUARTER),
        ("2:20", HoursError.NOT_QUARTER),
        ("50 min", HoursError.NOT_QUARTER),
    ],
)
def test_parse_hours_refuses(text: str, error: HoursError) -> None:
    assert parse_hours(text) is error


def test_parse_hours_respects_rules() -> None:
    rules = HoursRules(min_minutes=60, max_minutes=240)
    assert parse_hours("half", rules) is HoursError.TOO_SMALL
    assert parse_hours("5", rules) is HoursError.TOO_LARGE
    assert parse_hours("4", rules) == 240


@given(st.text(max_size=80))
def test_parse_hours_never_raises_nor_accepts_out_of_range(text: str) -> None:
    result = parse_hours(text)
    if not isinstance(result, HoursError):
        assert 15 <= result <= 720
        assert result % 15 == 0


@given(st.integers(min_value=-10_000, max_value=100_000))
def test_parse_hours_minutes_in_range_only(minutes: int) -> None:
    result = parse_hours(f"{minutes} min")
    if 14 <= minutes <= 721 and not isinstance(result, HoursError):
        assert abs(result - minutes) <= 1
    else:
        assert isinstance(result, HoursError)


@given(st.integers(min_value=1, max_value=48).map(lambda q: q * 15))
def test_format_hours_roundtrips(minutes: int) -> None:
    text = format_hours(minutes)
    assert "." not in text
    assert parse_hours(text) == minutes
    assert parse_hours(text + " uur") == minutes


@given(st.decimals(min_value=0, max_value=20, places=2, allow_nan=False))
def test_parse_decimal_hours_range_and_precision(value: object) -> None:
    text = str(value).replace(".", ",")
    result = parse_hours(text)
    if not isinstance(result, HoursError):
        assert 15 <= result <= 720


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(150, "2,5"), (45, "0,75"), (15, "0,25"), (720, "12"), (60, "1"), (900, "15"), (20, "0,33")],
)
def test_format_hours(minutes: int, text: str) -> None:
    assert format_hours(minutes) == text


def test_day_total() -> None:
    assert check_day_total([600, 600], 240) is None
    assert check_day_total([600, 600], 255) is HoursError.DAY_TOTAL_EXCEEDED
    assert check_day_total([], 720) is None
    assert check_day_total([60], 60, HoursRules(max_day_minutes=90)) is (
        HoursError.DAY_TOTAL_EXCEEDED
    )
