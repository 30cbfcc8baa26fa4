"""The day practice hours were done, as people type it (issue 5).

Accepted: `vandaag`, `gisteren`, `eergisteren`, `12-3`, `12/3`, `12.3`, `12-3-2026`, `12-03-26`,
`12 maart`, `12 mrt 2026`. A day without a year is the latest such day not after today.
Rules: not in the future, at most `max_days_back` (30) days ago. The parser never raises.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

MAX_DAYS_BACK = 30

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mrt": 3, "maa": 3, "apr": 4, "mei": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_NUMERIC = re.compile(r"([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})(?:\s*[-/.]\s*([0-9]{2}|[0-9]{4}))?")
_WORDS = re.compile(r"([0-9]{1,2})\s+([a-z]{3,10})\.?(?:\s+([0-9]{4}))?")


class WorkDateError(StrEnum):
    UNREADABLE = "unreadable"
    FUTURE = "future"
    TOO_OLD = "too_old"


def parse_work_date(
    text: str, today: date, max_days_back: int = MAX_DAYS_BACK
) -> date | WorkDateError:
    """The typed day, or why it cannot be used."""
    normal = " ".join(text.strip().lower().split())[:40]
    relative = {"vandaag": 0, "gisteren": 1, "eergisteren": 2}
    if normal in relative:
        return today - timedelta(days=relative[normal])
    found = _day_month_year(normal)
    if found is None:
        return WorkDateError.UNREADABLE
    day, month, year = found
    if year is None:
        year = today.year
        try:
            if date(year, month, day) > today:
                year -= 1
        except ValueError:
            pass
    elif year < 100:
        year += 2000
    try:
        result = date(year, month, day)
    except ValueError:
        return WorkDateError.UNREADABLE
    if result > today:
        return WorkDateError.FUTURE
    if (today - result).days > max_days_back:
        return WorkDateError.TOO_OLD
    return result


def _day_month_year(normal: str) -> tuple[int, int, int | None] | None:
    if m := _NUMERIC.fullmatch(normal):
        return int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None
    if m := _WORDS.fullmatch(normal):
        month = MONTHS.get(m.group(2)[:3])
        if month is None:
            return None
        return int(m.group(1)), month, int(m.group(3)) if m.group(3) else None
    return None
