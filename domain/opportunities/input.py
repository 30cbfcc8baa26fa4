"""Reading what coordinators and Citytrainers type for opportunities and activities (issue 6).

Rules:
- A moment is "dd-mm-jjjj uu:mm" (also "/" or "." between the date parts, "." between hours and
  minutes, a two-digit year, or no year: the next such date from today). Without a time: the
  `default_time` (for a deadline: 23:59). It must lie after `today`'s date.
- "doorlopend" (ongoing) and "geen" (none) are words, checked by the caller.
- A whole number is 0-9999 digits only; a neighbourhood list is comma-separated, trimmed, unique.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum

_MOMENT = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?(?:\s+(?:om\s+)?(\d{1,2})[:.](\d{2}))?\s*$"
)


class MomentError(StrEnum):
    """Why a typed moment is refused."""

    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"
    IN_PAST = "in_past"


def parse_moment(
    text: str, today: date, default_time: time = time(23, 59)
) -> datetime | MomentError:
    """A naive local datetime from "12-04-2026 14:00", or why not."""
    found = _MOMENT.match(text)
    if found is None:
        return MomentError.UNREADABLE
    day, month, year_text, hour, minute = found.groups()
    if year_text is None:
        year = today.year
    else:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        clock = default_time if hour is None else time(int(hour), int(minute))
        moment = datetime.combine(date(year, int(month), int(day)), clock)
    except ValueError:
        return MomentError.IMPOSSIBLE
    if year_text is None and moment.date() < today:
        moment = moment.replace(year=year + 1)
    if moment.date() < today:
        return MomentError.IN_PAST
    return moment


def parse_count(text: str, low: int, high: int) -> int | None:
    """A whole number from `low` to `high`, or None."""
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) > 4:
        return None
    value = int(cleaned)
    return value if low <= value <= high else None


def parse_neighbourhoods(text: str) -> tuple[str, ...]:
    """ "Noord, West,noord" -> ("Noord", "West"): trimmed, unique case-insensitively."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name[:60]
    return tuple(seen.values())
