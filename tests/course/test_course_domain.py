"""Course template, DST-safe session times, completion and reminder timing (issue 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.course.rules import (
    CompletionRules,
    CourseRecord,
    CourseTemplate,
    PlannedSession,
    SessionKind,
    SessionTimeProblem,
    course_progress,
    generate_sessions,
    session_start,
)
from domain.local_time import AMSTERDAM, LocalTimeError, local_to_utc
from domain.reminders import (
    ReminderKind,
    deliver_at,
    in_quiet_hours,
    reminder_still_useful,
    reminder_times,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_local_to_utc_normal_gap_and_overlap() -> None:
    assert local_to_utc(datetime(2025, 1, 10, 19, 0), AMSTERDAM) == utc(2025, 1, 10, 18, 0)
    assert local_to_utc(datetime(2025, 7, 10, 19, 0), AMSTERDAM) == utc(2025, 7, 10, 17, 0)
    assert local_to_utc(datetime(2025, 3, 30, 2, 30), AMSTERDAM) is LocalTimeError.NONEXISTENT
    assert local_to_utc(datetime(2025, 10, 26, 2, 30), AMSTERDAM) is LocalTimeError.AMBIGUOUS
    assert local_to_utc(datetime(2025, 3, 30, 3, 0), AMSTERDAM) == utc(2025, 3, 30, 1, 0)
    assert local_to_utc(datetime(2025, 10, 26, 3, 0), AMSTERDAM) == utc(2025, 10, 26, 2, 0)
    with pytest.raises(ValueError):
        local_to_utc(utc(2025, 1, 1), AMSTERDAM)


def test_generate_default_plan_across_clock_change() -> None:
    sessions = generate_sessions(CourseTemplate(), date(2025, 3, 4))
    assert not isinstance(sessions, SessionTimeProblem)
    kinds = [s.kind for s in sessions]
    assert kinds == [SessionKind.MEETING] * 7 + [SessionKind.FOLLOW_UP_DAY] * 2 + [
        SessionKind.PRESENTATION
    ]
    assert sessions[0] == PlannedSession(
        SessionKind.MEETING, 1, utc(2025, 3, 4, 18, 0), utc(2025, 3, 4, 20, 30)
    )
    # after the March change 19:00 local is 17:00 UTC
    assert sessions[4].starts_at == utc(2025, 4, 1, 17, 0)
    assert sessions[7].starts_at == utc(2025, 4, 22, 8, 0)
    assert sessions[7].ends_at - sessions[7].starts_at == timedelta(hours=4)
    assert sessions[9].number == 1
    assert all(s.starts_at.astimezone(AMSTERDAM).weekday() == 1 for s in sessions)


def test_generate_refuses_nonexistent_time() -> None:
    template = CourseTemplate(meeting_time=time(2, 30))
    result = generate_sessions(template, date(2025, 3, 16))
    assert result == SessionTimeProblem(LocalTimeError.NONEXISTENT, datetime(2025, 3, 30, 2, 30))
    assert session_start(date(2025, 10, 26), time(2, 15)) is LocalTimeError.AMBIGUOUS


def test_custom_template() -> None:
    template = CourseTemplate(meetings=8, meeting_minutes=120, followup_days=0, presentations=0)
    sessions = generate_sessions(template, date(2025, 9, 1), ZoneInfo("Europe/Amsterdam"))
    assert not isinstance(sessions, SessionTimeProblem)
    assert len(sessions) == 8


def test_progress_and_completion() -> None:
    start = course_progress(CourseRecord(0, 0, 0, False, 0))
    assert (start.meetings_total, start.meetings_required, start.meetings_left) == (7, 6, 6)
    assert start.followups_left == 2 and start.presentation_left
    assert start.practice_minutes_left == 900
    assert not start.course_part_complete and not start.certificate_ready

    course_done = course_progress(CourseRecord(6, 1, 2, True, 600))
    assert course_done.course_part_complete
    assert not course_done.certificate_ready
    assert course_done.practice_minutes_left == 300

    all_done = course_progress(CourseRecord(7, 0, 2, True, 900))
    assert all_done.certificate_ready

    missed = course_progress(CourseRecord(5, 2, 2, True, 900))
    assert missed.too_many_meetings_missed
    assert not missed.course_part_complete

    lenient = CompletionRules(max_missed_meetings=2, presentation_required=False)
    assert course_progress(CourseRecord(5, 2, 2, False, 900), lenient).certificate_ready


def test_reminder_times_local_across_october_change() -> None:
    # Monday 27 Oct 2025 19:00 local (CET, UTC+1); the evening before is Sunday 26 Oct, the day
    # of the change back: 19:00 CET = 18:00 UTC
    start = utc(2025, 10, 27, 18, 0)
    evening, before = reminder_times(start)
    assert evening.kind is ReminderKind.EVENING_BEFORE
    assert evening.at == utc(2025, 10, 26, 18, 0)
    assert before.at == utc(2025, 10, 27, 16, 0)
    # March: Sunday 30 Mar is CEST, 19:00 = 17:00 UTC; the Saturday before is still CET
    evening_march, _ = reminder_times(utc(2025, 3, 30, 17, 0))
    assert evening_march.at == utc(2025, 3, 29, 18, 0)


def test_quiet_hours_move_to_morning_for_minors() -> None:
    session = utc(2025, 6, 14, 8, 0)  # 10:00 local (CEST)
    intended = utc(2025, 6, 14, 4, 30)  # 06:30 local
    assert deliver_at(intended, 15, session) == utc(2025, 6, 14, 6, 0)  # 08:00 local
    assert deliver_at(intended, 18, session) == intended
    assert deliver_at(intended, None, session) == utc(2025, 6, 14, 6, 0)


def test_quiet_hours_fall_back_to_evening_before_for_early_sessions() -> None:
    session = utc(2025, 6, 14, 5, 30)  # 07:30 local
    intended = session - timedelta(hours=2)  # 05:30 local
    assert deliver_at(intended, 15, session) == utc(2025, 6, 13, 18, 30)  # 20:30 local
    late_evening = utc(2025, 6, 13, 20, 0)  # 22:00 local the evening before
    assert deliver_at(late_evening, 15, session) == utc(2025, 6, 13, 18, 30)


def test_quiet_hours_without_session_and_outside_quiet_hours() -> None:
    nudge = utc(2025, 1, 10, 21, 0)  # 22:00 local in winter
    assert deliver_at(nudge, 16) == utc(2025, 1, 11, 7, 0)  # 08:00 local
    daytime = utc(2025, 1, 10, 15, 0)
    assert deliver_at(daytime, 16) == daytime
    assert in_quiet_hours(time(21, 0)) and in_quiet_hours(time(7, 59))
    assert not in_quiet_hours(time(8, 0)) and not in_quiet_hours(time(20, 59))


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1)),
    st.integers(min_value=121, max_value=3000),
    st.integers(min_value=0, max_value=30),
)
def test_deliver_at_never_in_quiet_hours_and_before_session(
    naive: datetime, lead_minutes: int, age: int
) -> None:
    intended = naive.replace(tzinfo=UTC)
    session = intended + timedelta(minutes=lead_minutes)
    moment = deliver_at(intended, age, session)
    if age >= 18:
        assert moment == intended
    else:
        assert not in_quiet_hours(moment.astimezone(AMSTERDAM).time())
        assert moment < session


def test_reminder_still_useful() -> None:
    start = utc(2025, 6, 14, 8, 0)
    assert reminder_still_useful(start, start - timedelta(minutes=1))
    assert not reminder_still_useful(start, start)
