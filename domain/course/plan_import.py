"""Reading a group's session plan from rows (a CSV or YAML file turned into dicts).

Each row: `kind` (meeting/bijeenkomst, follow_up_day/terugkomdag, presentation/presentatie),
`date` (dd-mm-yyyy or yyyy-mm-dd), `time` (HH:MM, local time), optional `duration_minutes`
(default from the course template), `location` and `bring`. Every row is checked and every
problem reported with its line; the plan is only usable when there is no problem at all.
Sessions are numbered per kind in time order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.course.rules import CourseTemplate, SessionKind, session_start
from domain.local_time import AMSTERDAM, LocalTimeError

KIND_WORDS: dict[str, SessionKind] = {
    "meeting": SessionKind.MEETING,
    "bijeenkomst": SessionKind.MEETING,
    "follow_up_day": SessionKind.FOLLOW_UP_DAY,
    "followup": SessionKind.FOLLOW_UP_DAY,
    "terugkomdag": SessionKind.FOLLOW_UP_DAY,
    "follow-updag": SessionKind.FOLLOW_UP_DAY,
    "presentation": SessionKind.PRESENTATION,
    "presentatie": SessionKind.PRESENTATION,
}
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
MAX_LENGTH = 200


class RowProblem(StrEnum):
    KIND = "kind"
    DATE = "date"
    TIME = "time"
    DURATION = "duration"
    NONEXISTENT_TIME = "nonexistent_time"
    AMBIGUOUS_TIME = "ambiguous_time"
    TOO_LONG = "too_long"
    EMPTY = "empty"


@dataclass(frozen=True)
class ImportedSession:
    kind: SessionKind
    seq: int
    starts_at: dt.datetime
    duration_minutes: int
    location: str | None
    bring: str | None


@dataclass(frozen=True)
class LineError:
    line: int
    problem: RowProblem
    value: str


def _date(text: str) -> dt.date | None:
    text = text.strip()
    found = _DATE_DMY.match(text)
    try:
        if found:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
        found = _DATE_ISO.match(text)
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return None


def _time(text: str) -> dt.time | None:
    found = _TIME.match(text.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return dt.time(int(found[1]), int(found[2]))


def _default_minutes(kind: SessionKind, template: CourseTemplate) -> int:
    return {
        SessionKind.MEETING: template.meeting_minutes,
        SessionKind.FOLLOW_UP_DAY: template.followup_minutes,
        SessionKind.PRESENTATION: template.presentation_minutes,
    }[kind]


def _text(row: dict[str, str], key: str) -> str | None:
    value = str(row.get(key) or "").strip()
    return value or None


def parse_plan(
    rows: list[tuple[int, dict[str, str]]],
    tz: ZoneInfo = AMSTERDAM,
    template: CourseTemplate | None = None,
) -> list[ImportedSession] | list[LineError]:
    """Sessions from (line number, row) pairs, or every problem found (never a partial plan)."""
    template = template or CourseTemplate()
    errors: list[LineError] = []
    parsed: list[tuple[SessionKind, dt.datetime, int, str | None, str | None]] = []
    if not rows:
        return [LineError(1, RowProblem.EMPTY, "")]
    for line, row in rows:
        kind_text = str(row.get("kind") or "").strip().lower()
        kind = KIND_WORDS.get(kind_text)
        day = _date(str(row.get("date") or ""))
        clock = _time(str(row.get("time") or ""))
        duration_text = str(row.get("duration_minutes") or "").strip()
        row_errors = []
        if kind is None:
            row_errors.append(LineError(line, RowProblem.KIND, kind_text))
        if day is None:
            row_errors.append(LineError(line, RowProblem.DATE, str(row.get("date") or "")))
        if clock is None:
            row_errors.append(LineError(line, RowProblem.TIME, str(row.get("time") or "")))
        if duration_text and (not duration_text.isdigit() or not 15 <= int(duration_text) <= 720):
            row_errors.append(LineError(line, RowProblem.DURATION, duration_text))
        location, bring = _text(row, "location"), _text(row, "bring")
        for value in (location, bring):
            if value is not None and len(value) > MAX_LENGTH:
                row_errors.append(LineError(line, RowProblem.TOO_LONG, value[:20]))
        if row_errors or kind is None or day is None or clock is None:
            errors.extend(row_errors)
            continue
        start = session_start(day, clock, tz)
        if isinstance(start, LocalTimeError):
            problem = (
                RowProblem.NONEXISTENT_TIME
                if start is LocalTimeError.NONEXISTENT
                else RowProblem.AMBIGUOUS_TIME
            )
            errors.append(LineError(line, problem, f"{day.isoformat()} {clock:%H:%M}"))
            continue
        minutes = int(duration_text) if duration_text else _default_minutes(kind, template)
        parsed.append((kind, start, minutes, location, bring))
    if errors:
        return errors
    counters: dict[SessionKind, int] = {}
    plan = []
    for kind, start, minutes, location, bring in sorted(parsed, key=lambda p: p[1]):
        counters[kind] = counters.get(kind, 0) + 1
        plan.append(ImportedSession(kind, counters[kind], start, minutes, location, bring))
    return plan
