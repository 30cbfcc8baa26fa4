"""Reading conversation state never raises on old or damaged data (bot.kit.state)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pytest

from bot.kit.state import as_date, as_int, as_ints, as_member, as_text


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("12", 12), (True, None), ("1.5", None), ("١٢", None), (None, None), ([1], None)],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


def test_the_other_readers() -> None:
    assert as_text("x") == "x" and as_text(3) is None
    assert as_date("2026-03-10") == dt.date(2026, 3, 10)
    assert as_date("10-03-2026") is None and as_date(20260310) is None
    assert as_ints([1, "2", "x", None]) == (1, 2) and as_ints("12") == ()
    assert as_member(Colour, "red") is Colour.RED
    assert as_member(Colour, "blue") is None and as_member(Colour, 1) is None
