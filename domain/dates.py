"""Dates of birth as people type them, ages on a given day, and "today" in a programme's zone.

Rules:
- Accepted forms (surrounding whitespace ignored, case-insensitive):
  `14-03-2011`, `14/3/2011`, `14.3.2011`, `14 3 2011` (day first, any of `- / .` or space),
  `2011-03-14` / `2011/03/14` (year first, four digits),
  `14 maart 2011`, `14 mrt 2011`, `14 mrt. 2011`, `14-mrt-2011` (Dutch month names and the usual
  abbreviations). A two-digit year (`14-03-11`) is read as the latest year that is not after
  `today` (so `11` is 2011 and `60` is 1960 in 2025).
- A date that does not exist (31-02, month 13) is `DateError.IMPOSSIBLE`; a date after `today` is
  `IN_FUTURE`; a date more than `DateRules.max_age_years` (120) years before `today` is
  `TOO_OLD_TO_BE_REAL`; anything else unparseable is `UNREADABLE`.
- Leap-day birthdays: someone born on 29 February has their birthday on 1 March in years without
  29 February. Dutch law has no explicit rule; we take the reading that the full year has only
  elapsed once 28 February is over. It is the conservative choice for the minimum age and the
  parental-consent age: nobody counts as older one day early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

MAX_INPUT_LENGTH = 40
"""Longer input is never a date; it is refused before any pattern is tried."""


class DateError(StrEnum):
    """Why a typed date of birth was not accepted."""

    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"
    IN_FUTURE = "in_future"
    TOO_OLD_TO_BE_REAL = "too_old_to_be_real"


@dataclass(frozen=True)
class DateRules:
    """Plausibility limits for a date of birth."""

    max_age_years: int = 120
    """A date of birth more than this many years ago is refused as a typo."""


MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1,
    "februari": 2, "feb": 2, "febr": 2,
    "maart": 3, "mrt": 3, "maa": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
"""Dutch month names and abbreviations (lower case) to month numbers."""

_DAY_FIRST = re.compile(r"(\d{1,2})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{4}|\d{2})")
_YEAR_FIRST = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
_MONTH_NAME = re.compile(r"(\d{1,2})\s*[-/. ]?\s*([a-z]+)\.?\s*[-/. ]?\s*(\d{4}|\d{2})")


def parse_birth_date(text: str, today: date, rules: DateRules | None = None) -> date | DateError:
    """Read a date of birth typed by a person; see the module docstring for the accepted forms."""
    rules = rules or DateRules()
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned or len(cleaned) > MAX_INPUT_LENGTH:
        return DateError.UNREADABLE
    parts = _split(cleaned)
    if parts is None:
        return DateError.UNREADABLE
    year_text, month, day = parts
    year = _full_year(year_text, today)
    try:
        born = date(year, month, day)
    except ValueError:
        return DateError.IMPOSSIBLE
    if born > today:
        return DateError.IN_FUTURE
    if age_on(born, today) > rules.max_age_years:
        return DateError.TOO_OLD_TO_BE_REAL
    return born


def _split(cleaned: str) -> tuple[str, int, int] | None:
    """(year text, month, day) from a cleaned input, or None when no form matches."""
    if m := _YEAR_FIRST.fullmatch(cleaned):
        return m.group(1), int(m.group(2)), int(m.group(3))
    if m := _DAY_FIRST.fullmatch(cleaned):
        return m.group(3), int(m.group(2)), int(m.group(1))
    if m := _MONTH_NAME.fullmatch(cleaned):
        month = MONTHS.get(m.group(2))
        if month is None:
            return None
        return m.group(3), month, int(m.group(1))
    return None


def _full_year(year_text: str, today: date) -> int:
    """A four-digit year as is; a two-digit one as the latest such year not after `today`."""
    if len(year_text) == 4:
        return int(year_text)
    two = int(year_text)
    century = today.year - today.year % 100
    year = century + two
    return year if year <= today.year else year - 100


def birthday_in(birth: date, year: int) -> date:
    """The day in `year` on which a person born on `birth` has their birthday (29 Feb → 1 Mar)."""
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a year without it
        return date(year, 3, 1)


def age_on(birth: date, on: date) -> int:
    """Completed years of age on the day `on`; raises ValueError when `on` is before `birth`."""
    if on < birth:
        raise ValueError("the day is before the date of birth")
    years = on.year - birth.year
    return years if on >= birthday_in(birth, on.year) else years - 1


def day_of_age(birth: date, age: int) -> date:
    """The day on which a person born on `birth` turns `age` (their `age`-th birthday)."""
    return birthday_in(birth, birth.year + age)


def local_today(now_utc: datetime, tz: ZoneInfo) -> date:
    """The calendar day in the programme's time zone at the aware moment `now_utc`."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(tz).date()
