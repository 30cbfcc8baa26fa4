"""The course plan from a per-programme template, and the completion rules (issue 4).

Template (defaults from PROGRAMME.md "The course"): 7 meetings of 150 minutes, 2 follow-up days of
240 minutes and 1 final presentation of 120 minutes. Generated sessions follow each other every
`interval_days` (7) from the first day, in that order (meetings, follow-up days, presentation), at
the template's local time per kind; the course leader moves them one by one afterwards. A local
time that does not exist or occurs twice (DST Sundays) refuses the whole plan.

Completion (`CompletionRules`):
- Meetings: at most `max_missed_meetings` (1) of the template's meetings may be missed, so 6 of 7
  attended are needed. An excused absence ("ik kan niet") is still a missed meeting.
- Follow-up days: `followup_days_required` (2) attended.
- Final presentation: needed when `presentation_required` (True).
- The course part is complete when all three are met ("bewijs van deelname").
- The certificate is ready for the coordinator's approval when the course part is complete and
  the confirmed practice reaches `practice_minutes_required` (900 = 15 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.local_time import AMSTERDAM, LocalTimeError, local_to_utc


class SessionKind(StrEnum):
    """Kinds of course sessions."""

    MEETING = "meeting"
    FOLLOW_UP_DAY = "follow_up_day"
    PRESENTATION = "presentation"


class CourseTrack(StrEnum):
    """The track of a training group."""

    SPORT = "sport"
    CULTURE = "culture"


class ReminderAnswer(StrEnum):
    """A participant's answer to a session reminder: "ik kom" or "ik kan niet"."""

    COMING = "coming"
    CANNOT = "cannot"


class AttendanceStatus(StrEnum):
    """Whether a participant was at a session (only `PRESENT` counts as attended)."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


_NEXT_ATTENDANCE = {
    AttendanceStatus.PRESENT: AttendanceStatus.ABSENT,
    AttendanceStatus.ABSENT: AttendanceStatus.EXCUSED,
    AttendanceStatus.EXCUSED: AttendanceStatus.PRESENT,
}


def next_attendance(status: AttendanceStatus) -> AttendanceStatus:
    """The status after a tap on the checklist: present -> absent -> excused -> present."""
    return _NEXT_ATTENDANCE[status]


def expected_attendance(answer: ReminderAnswer | None) -> AttendanceStatus:
    """The checklist's status before anything is saved: excused after "ik kan niet", else
    present."""
    return AttendanceStatus.EXCUSED if answer == ReminderAnswer.CANNOT else AttendanceStatus.PRESENT


@dataclass(frozen=True)
class CourseTemplate:
    """A programme's course plan."""

    meetings: int = 7
    meeting_minutes: int = 150
    followup_days: int = 2
    followup_minutes: int = 240
    presentations: int = 1
    presentation_minutes: int = 120
    interval_days: int = 7
    """Days between consecutive generated sessions (weekly)."""
    meeting_time: time = time(19, 0)
    followup_time: time = time(10, 0)
    presentation_time: time = time(19, 0)

    def parts(self) -> tuple[tuple[SessionKind, int, int, time], ...]:
        """(kind, count, minutes, local start time) in course order."""
        return (
            (SessionKind.MEETING, self.meetings, self.meeting_minutes, self.meeting_time),
            (SessionKind.FOLLOW_UP_DAY, self.followup_days, self.followup_minutes,
             self.followup_time),
            (SessionKind.PRESENTATION, self.presentations, self.presentation_minutes,
             self.presentation_time),
        )  # fmt: skip


@dataclass(frozen=True)
class PlannedSession:
    """One generated session; `number` counts from 1 within its kind."""

    kind: SessionKind
    number: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SessionTimeProblem:
    """A session whose local start time does not map to exactly one moment."""

    error: LocalTimeError
    local: datetime


def session_start(day: date, clock: time, tz: ZoneInfo = AMSTERDAM) -> datetime | LocalTimeError:
    """UTC start of a session typed as a local day and time (refusing DST gaps and overlaps)."""
    return local_to_utc(datetime.combine(day, clock), tz)


def generate_sessions(
    template: CourseTemplate, first_day: date, tz: ZoneInfo = AMSTERDAM
) -> tuple[PlannedSession, ...] | SessionTimeProblem:
    """The dated sessions of a group starting on `first_day` (see module docstring)."""
    sessions: list[PlannedSession] = []
    index = 0
    for kind, count, minutes, clock in template.parts():
        for number in range(1, count + 1):
            day = first_day + timedelta(days=index * template.interval_days)
            start = session_start(day, clock, tz)
            if isinstance(start, LocalTimeError):
                return SessionTimeProblem(start, datetime.combine(day, clock))
            sessions.append(PlannedSession(kind, number, start, start + timedelta(minutes=minutes)))
            index += 1
    return tuple(sessions)


@dataclass(frozen=True)
class CompletionRules:
    """Per-programme rules for finishing the course and earning the certificate."""

    max_missed_meetings: int = 1
    followup_days_required: int = 2
    presentation_required: bool = True
    practice_minutes_required: int = 900


@dataclass(frozen=True)
class CourseRecord:
    """What a participant has done so far."""

    meetings_attended: int
    meetings_missed: int
    followups_attended: int
    presentation_done: bool
    practice_minutes_confirmed: int


@dataclass(frozen=True)
class CourseProgress:
    """Progress for /voortgang: done, needed and what is left."""

    meetings_attended: int
    meetings_total: int
    meetings_required: int
    followups_attended: int
    followups_required: int
    presentation_done: bool
    presentation_required: bool
    practice_minutes_confirmed: int
    practice_minutes_required: int
    too_many_meetings_missed: bool
    """More meetings missed than allowed: the course leader should arrange a catch-up."""

    @property
    def meetings_left(self) -> int:
        return max(0, self.meetings_required - self.meetings_attended)

    @property
    def followups_left(self) -> int:
        return max(0, self.followups_required - self.followups_attended)

    @property
    def presentation_left(self) -> bool:
        return self.presentation_required and not self.presentation_done

    @property
    def practice_minutes_left(self) -> int:
        return max(0, self.practice_minutes_required - self.practice_minutes_confirmed)

    @property
    def course_part_complete(self) -> bool:
        """Meetings, follow-up days and presentation done: "bewijs van deelname"."""
        return self.meetings_left == 0 and self.followups_left == 0 and not self.presentation_left

    @property
    def certificate_ready(self) -> bool:
        """Course part complete and practice confirmed: ask the coordinator to approve."""
        return self.course_part_complete and self.practice_minutes_left == 0


def course_progress(
    record: CourseRecord,
    rules: CompletionRules | None = None,
    template: CourseTemplate | None = None,
) -> CourseProgress:
    """A participant's progress against the completion rules."""
    rules = rules or CompletionRules()
    template = template or CourseTemplate()
    return CourseProgress(
        meetings_attended=record.meetings_attended,
        meetings_total=template.meetings,
        meetings_required=max(0, template.meetings - rules.max_missed_meetings),
        followups_attended=record.followups_attended,
        followups_required=rules.followup_days_required,
        presentation_done=record.presentation_done,
        presentation_required=rules.presentation_required,
        practice_minutes_confirmed=record.practice_minutes_confirmed,
        practice_minutes_required=rules.practice_minutes_required,
        too_many_meetings_missed=record.meetings_missed > rules.max_missed_meetings,
    )
