"""A programme's course settings, and the dates and times people type (issue 4).

Rules:
- A programme's `settings["course"]` may override the template, the reminder times and the
  completion rules, e.g. `{"meetings": 8, "meeting_minutes": 120, "evening_before": "18:30",
  "minutes_before": 90, "max_missed_meetings": 0}`. Unknown keys and bad values are ignored
  (the default stays), so a typo never stops the bot.
- A day is typed as `d-m-yyyy` (also `/` or `.` as separator, a 2-digit year means 20yy).
- A time is typed as `h:mm` or `h.mm` (0:00-23:59).
- A moment is a day and a time separated by a space, e.g. `14-3-2027 19:30`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from typing import Any

from domain.course.rules import CompletionRules, CourseTemplate
from domain.reminders import ReminderRules

_DAY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass(frozen=True)
class CourseSettings:
    """Everything per programme that the course feature needs."""

    template: CourseTemplate = field(default_factory=CourseTemplate)
    reminders: ReminderRules = field(default_factory=ReminderRules)
    completion: CompletionRules = field(default_factory=CompletionRules)


def _coerce(current: Any, value: Any) -> Any:
    """`value` in the type of `current`, or None when it does not fit."""
    if isinstance(current, bool):
        return value if isinstance(value, bool) else None
    if isinstance(current, int):
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
        )
    if isinstance(current, time):
        return parse_time(value) if isinstance(value, str) else None
    return None


def _override(obj: Any, values: dict[str, Any]) -> Any:
    changes: dict[str, Any] = {}
    for item in fields(obj):
        if item.name in values:
            coerced = _coerce(getattr(obj, item.name), values[item.name])
            if coerced is not None:
                changes[item.name] = coerced
    return replace(obj, **changes)


def course_settings(programme_settings: dict[str, Any] | None) -> CourseSettings:
    """The course settings of a programme (defaults where nothing valid is set)."""
    raw = (programme_settings or {}).get("course")
    if not isinstance(raw, dict):
        return CourseSettings()
    return CourseSettings(
        template=_override(CourseTemplate(), raw),
        reminders=_override(ReminderRules(), raw),
        completion=_override(CompletionRules(), raw),
    )


def parse_day(text: str) -> date | None:
    """A typed day (`d-m-yyyy`), or None."""
    match = _DAY.match(text)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """A typed time (`h:mm`), or None."""
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_moment(text: str) -> datetime | None:
    """A typed local day and time (`14-3-2027 19:30`) as a naive local datetime, or None."""
    parts = text.split()
    if len(parts) != 2:
        return None
    day, clock = parse_day(parts[0]), parse_time(parts[1])
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock)
