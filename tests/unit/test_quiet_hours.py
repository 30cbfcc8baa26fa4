"""Quiet hours for minors (issue 11, point 6): who counts as an adult, and the `not_before` of
every outbox row (`domain.reminders.counts_as_adult`, `domain.reminders.not_before_for`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.local_time import AMSTERDAM
from domain.reminders import counts_as_adult, in_quiet_hours, not_before_for
from domain.roles import STAFF_ROLES, Role

TODAY = date(2026, 3, 2)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


# --- who counts as an adult ------------------------------------------------------------------


def test_the_birth_date_decides_when_known() -> None:
    assert not counts_as_adult(date(2012, 1, 1), frozenset(), TODAY)  # 14
    assert counts_as_adult(date(1990, 5, 1), frozenset(), TODAY)
    # Eighteen on the birthday, not the day before.
    assert counts_as_adult(date(2008, 3, 2), frozenset(), TODAY)
    assert not counts_as_adult(date(2008, 3, 3), frozenset(), TODAY)
    # Born on 29 February: eighteen on 1 March in a year without 29 February.
    assert not counts_as_adult(date(2008, 2, 29), frozenset(), date(2026, 2, 28))
    assert counts_as_adult(date(2008, 2, 29), frozenset(), date(2026, 3, 1))
    # A staff role does not make a 16-year-old an adult.
    for role in STAFF_ROLES:
        assert not counts_as_adult(date(2010, 1, 1), frozenset({role}), TODAY)
    # A birth date after today is wrong data: a minor.
    assert not counts_as_adult(date(2030, 1, 1), frozenset({Role.COORDINATOR}), TODAY)


def test_unknown_birth_date_is_a_minor_unless_staff() -> None:
    assert not counts_as_adult(None, frozenset(), TODAY)
    for role in (Role.PARTICIPANT, Role.CITYTRAINER, Role.PARENT):
        assert not counts_as_adult(None, frozenset({role}), TODAY)
    for role in (Role.COORDINATOR, Role.SUPERVISOR, Role.COURSE_LEADER):
        assert counts_as_adult(None, frozenset({role, Role.CITYTRAINER}), TODAY)


# --- not_before of an outbox row -------------------------------------------------------------

EVENING = utc(2026, 3, 2, 21, 30)  # Monday 22:30 in Amsterdam (CET)
MORNING = utc(2026, 3, 3, 7, 0)  # Tuesday 08:00 in Amsterdam


def test_a_minor_at_half_past_ten_waits_until_eight() -> None:
    assert not_before_for(EVENING, None, adult=False) == MORNING
    assert not_before_for(EVENING, None, adult=True) == EVENING


def test_the_callers_later_time_wins_and_an_earlier_one_does_not_escape() -> None:
    later = utc(2026, 3, 3, 14, 0)
    assert not_before_for(EVENING, later, adult=False) == later
    # A time asked for in the night (23:00) moves to the morning too.
    assert not_before_for(EVENING, utc(2026, 3, 2, 22, 0), adult=False) == MORNING
    # A time already past (20:30, not quiet itself) is delivered now, which is quiet: 08:00.
    assert not_before_for(EVENING, utc(2026, 3, 2, 19, 30), adult=False) == MORNING
    # Adults keep whatever the caller asked.
    assert not_before_for(EVENING, utc(2026, 3, 2, 22, 0), adult=True) == utc(2026, 3, 2, 22, 0)


def test_edges_of_the_quiet_hours() -> None:
    before = utc(2026, 3, 2, 19, 59)  # 20:59
    assert not_before_for(before, None, adult=False) == before
    start = utc(2026, 3, 2, 20, 0)  # 21:00: quiet
    assert not_before_for(start, None, adult=False) == MORNING
    early = utc(2026, 3, 3, 6, 59)  # 07:59
    assert not_before_for(early, None, adult=False) == MORNING
    assert not_before_for(MORNING, None, adult=False) == MORNING  # 08:00 is not quiet
    after_midnight = utc(2026, 3, 2, 23, 30)  # 00:30 Tuesday
    assert not_before_for(after_midnight, None, adult=False) == MORNING


def test_last_sunday_of_march() -> None:
    # Saturday 28 March 2026 22:30 CET -> Sunday 29 March 08:00 CEST (06:00 UTC).
    saturday = utc(2026, 3, 28, 21, 30)
    sunday_eight = utc(2026, 3, 29, 6, 0)
    assert not_before_for(saturday, None, adult=False) == sunday_eight
    assert local(sunday_eight).time() == time(8, 0)
    # In the night of the change: 01:30 CET and 03:30 CEST.
    assert not_before_for(utc(2026, 3, 29, 0, 30), None, adult=False) == sunday_eight
    assert not_before_for(utc(2026, 3, 29, 1, 30), None, adult=False) == sunday_eight
    # Sunday evening 21:00 CEST is quiet again.
    assert not_before_for(utc(2026, 3, 29, 19, 0), None, adult=False) == utc(2026, 3, 30, 6, 0)
    assert not_before_for(utc(2026, 3, 29, 18, 59), None, adult=False) == utc(2026, 3, 29, 18, 59)


def test_last_sunday_of_october() -> None:
    # Saturday 24 October 2026 22:30 CEST -> Sunday 25 October 08:00 CET (07:00 UTC).
    saturday = utc(2026, 10, 24, 20, 30)
    sunday_eight = utc(2026, 10, 25, 7, 0)
    assert not_before_for(saturday, None, adult=False) == sunday_eight
    assert local(sunday_eight).time() == time(8, 0)
    # 02:30 happens twice (00:30 UTC in summer time, 01:30 UTC in winter time).
    assert not_before_for(utc(2026, 10, 25, 0, 30), None, adult=False) == sunday_eight
    assert not_before_for(utc(2026, 10, 25, 1, 30), None, adult=False) == sunday_eight
    assert not_before_for(utc(2026, 10, 25, 6, 59), None, adult=False) == sunday_eight
    assert not_before_for(utc(2026, 10, 25, 20, 0), None, adult=False) == utc(2026, 10, 26, 7, 0)


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 1, 1)),
    st.one_of(st.none(), st.integers(min_value=-48 * 60, max_value=48 * 60)),
    st.booleans(),
)
def test_never_in_quiet_hours_for_a_minor_and_never_earlier_than_asked(
    naive: datetime, offset_minutes: int | None, adult: bool
) -> None:
    now = naive.replace(tzinfo=UTC)
    requested = None if offset_minutes is None else now + timedelta(minutes=offset_minutes)
    wanted = requested or now
    moment = not_before_for(now, requested, adult=adult)
    if adult:
        assert moment == wanted
        return
    assert moment >= wanted
    delivered = max(moment, now)  # the sender takes a row at its not_before or later
    assert not in_quiet_hours(local(delivered).time())
    if moment != wanted:
        assert local(moment).time() == time(8, 0)
        assert moment - max(wanted, now) <= timedelta(hours=12)  # 11, or 12 in October
