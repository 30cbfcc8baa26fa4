"""Hours as people type them, in whole minutes at quarter-hour precision (issue 5).

Accepted (case-insensitive, surrounding whitespace ignored):
- decimal hours: `2`, `2,5`, `2.5`, `2 uur`, `2,5 uur`, `2u`, `2 h`;
- hours and minutes: `2:30`, `2u30`, `2 u 30`, `2 uur 30`, `2 uur en 30 minuten`, `2h30m`;
- minutes: `90 min`, `90 minuten`, `45 m`;
- words: Dutch number words (`een`/`één` .. `twintig`, `dertig`, `veertig`, `vijfenveertig`,
  `vijftig`, `zestig`, `negentig`), `anderhalf`, `half`, `een half uur`, `tweeënhalf`,
  `twee en een half uur`, `2½`, `kwartier`, `een kwartier`, `drie kwartier`,
  `1 uur en een kwartier`, `twee uur` and so on.

Rules (thresholds in `HoursRules`):
- Quarter-hour precision: a value within `rounding_tolerance_minutes` (1 minute) of a quarter hour
  is rounded to it (`0,33` is 19.8 minutes: refused; `1:14` is rounded to 1:15); anything further
  from a quarter is `HoursError.NOT_QUARTER`, so a typo like `1,3` is asked again, not guessed.
- One log is at least `min_minutes` (15) and at most `max_minutes` (720 = 12 h), else `TOO_SMALL` /
  `TOO_LARGE` (checked on the typed value, with the same 1-minute tolerance).
- All logs of one day together are at most `max_day_minutes` (1440 = 24 h): `check_day_total`.
- Anything else is `UNREADABLE`. The parser never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

MAX_INPUT_LENGTH = 40
"""Longer input is never an amount of hours; it is refused before any pattern is tried."""
QUARTER = 15
"""Minutes in a quarter hour, the precision of all logged hours."""


class HoursError(StrEnum):
    """Why typed hours were not accepted."""

    UNREADABLE = "unreadable"
    NOT_QUARTER = "not_quarter"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    DAY_TOTAL_EXCEEDED = "day_total_exceeded"


@dataclass(frozen=True)
class HoursRules:
    """Per-programme limits for logged hours."""

    min_minutes: int = 15
    """Smallest log: a quarter hour."""
    max_minutes: int = 12 * 60
    """Largest single log: 12 hours."""
    max_day_minutes: int = 24 * 60
    """Largest sum of all logs on one day: 24 hours."""
    rounding_tolerance_minutes: int = 1
    """A value this close to a quarter hour is rounded to it; further away is NOT_QUARTER."""


NUMBER_WORDS: dict[str, int] = {
    "nul": 0, "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14,
    "vijftien": 15, "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
    "twintig": 20, "dertig": 30, "veertig": 40, "vijfenveertig": 45, "vijftig": 50,
    "zestig": 60, "negentig": 90,
}  # fmt: skip
"""Dutch number words (accents removed) understood in hours."""

_HOUR_UNIT = r"(?:uur|uren|u|h|hr|hrs|hour|hours)"
_MIN_UNIT = r"(?:m|min|mins|minuut|minuten|minute|minutes)"
_NUM = r"([0-9]{1,6})"
_DECIMAL_HOURS = re.compile(rf"{_NUM}(?:[.,]([0-9]{{1,4}}))? ?(?:{_HOUR_UNIT})?")
_MINUTES = re.compile(rf"{_NUM} ?{_MIN_UNIT}")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?: ?" + _HOUR_UNIT + r")?")
_HOURS_MINUTES = re.compile(rf"{_NUM} ?{_HOUR_UNIT} ?(?:en )?([0-9]{{1,2}}) ?(?:{_MIN_UNIT})?")
_WHOLE_HOURS_AND = rf"(?:{_NUM} ?(?:{_HOUR_UNIT} ?(?:en )?|en ))"
_HALF = re.compile(rf"{_WHOLE_HOURS_AND}?half(?: ?{_HOUR_UNIT})?")
_QUARTERS = re.compile(rf"{_WHOLE_HOURS_AND}?(?:{_NUM} ?)?kwartier")


def parse_hours(text: str, rules: HoursRules | None = None) -> int | HoursError:
    """Minutes (a multiple of 15) for typed hours, or why they were not accepted."""
    rules = rules or HoursRules()
    normal = _normalise(text)
    if normal is None:
        return HoursError.UNREADABLE
    exact = _exact_minutes(normal)
    if exact is None:
        return HoursError.UNREADABLE
    return _check_minutes(exact, rules)


def _normalise(text: str) -> str | None:
    """Lower case, no accents, number words as digits, single spaces; None when too long."""
    if len(text) > 4 * MAX_INPUT_LENGTH:
        return None
    text = re.sub(r"(?<=[0-9])\s*½", " en half ", text).replace("½", " half ")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    normal = " ".join(stripped.lower().split())
    if not normal or len(normal) > MAX_INPUT_LENGTH:
        return None
    normal = normal.removesuffix(".").strip()
    normal = re.sub(r"\banderhalf\b", "1 en half", normal)
    normal = re.sub(r"([a-z]+?)enhalf\b", r"\1 en half", normal)
    normal = re.sub(r"\b(een|twee|drie)kwartier\b", r"\1 kwartier", normal)
    normal = re.sub(r"\been half\b", "half", normal)
    normal = re.sub(r"\ben een\b", "en 1", normal)
    return re.sub(r"[a-z]+", lambda m: str(NUMBER_WORDS.get(m.group(0), m.group(0))), normal)


def _exact_minutes(normal: str) -> Decimal | None:
    """The typed amount in (possibly fractional) minutes, or None when no form matches."""
    if m := _DECIMAL_HOURS.fullmatch(normal):
        return Decimal(f"{m.group(1)}.{m.group(2) or 0}") * 60
    if m := _MINUTES.fullmatch(normal):
        return Decimal(m.group(1))
    for pattern in (_CLOCK, _HOURS_MINUTES):
        if (m := pattern.fullmatch(normal)) and int(m.group(2)) < 60:
            return Decimal(int(m.group(1)) * 60 + int(m.group(2)))
    if m := _HALF.fullmatch(normal):
        return Decimal(int(m.group(1) or 0) * 60 + 30)
    if m := _QUARTERS.fullmatch(normal):
        return Decimal(int(m.group(1) or 0) * 60 + int(m.group(2) or 1) * QUARTER)
    return None


def _check_minutes(exact: Decimal, rules: HoursRules) -> int | HoursError:
    """Apply the range and quarter-hour rules to an exact amount of minutes."""
    tolerance = rules.rounding_tolerance_minutes
    if exact < rules.min_minutes - tolerance:
        return HoursError.TOO_SMALL
    if exact > rules.max_minutes + tolerance:
        return HoursError.TOO_LARGE
    quarters = (exact / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    minutes = int(quarters) * QUARTER
    if abs(exact - minutes) > tolerance:
        return HoursError.NOT_QUARTER
    if minutes < rules.min_minutes:
        return HoursError.TOO_SMALL
    if minutes > rules.max_minutes:
        return HoursError.TOO_LARGE
    return minutes


def check_day_total(
    other_minutes_that_day: Iterable[int], new_minutes: int, rules: HoursRules | None = None
) -> HoursError | None:
    """`DAY_TOTAL_EXCEEDED` when the new log would bring the day above 24 h, else None.

    `other_minutes_that_day` are the day's other logs that still count (pending, confirmed or
    corrected; rejected logs are left out by the caller).
    """
    rules = rules or HoursRules()
    if sum(other_minutes_that_day) + new_minutes > rules.max_day_minutes:
        return HoursError.DAY_TOTAL_EXCEEDED
    return None


def format_hours(minutes: int) -> str:
    """Hours with a Dutch decimal comma and no trailing zeros: 150 → "2,5", 45 → "0,75".

    Not a multiple of a quarter hour: rounded to two decimals (20 → "0,33").
    """
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
