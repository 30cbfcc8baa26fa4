"""Practice-hours statuses, totals and reminder steps (issue 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.hours.practice import (
    LoggedHours,
    LogStatus,
    PracticeRules,
    ReminderStep,
    due_reminder_step,
    hours_totals,
    next_reminder_step,
    reached_requirement,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_totals_count_confirmed_and_corrected_only() -> None:
    logs = [
        LoggedHours(120, LogStatus.CONFIRMED),
        LoggedHours(180, LogStatus.CORRECTED, corrected_minutes=150),
        LoggedHours(60, LogStatus.PENDING),
        LoggedHours(90, LogStatus.PENDING),
        LoggedHours(240, LogStatus.REJECTED),
    ]
    totals = hours_totals(logs)
    assert totals.confirmed_minutes == 270
    assert totals.waiting_minutes == 150
    assert totals.required_minutes == 900
    assert totals.remaining_minutes == 630
    assert not totals.complete


def test_totals_complete_and_never_negative_remaining() -> None:
    totals = hours_totals([LoggedHours(720, LogStatus.CONFIRMED)] * 2)
    assert totals.complete
    assert totals.remaining_minutes == 0
    assert hours_totals([], PracticeRules(required_minutes=600)).remaining_minutes == 600


def test_reached_requirement_only_on_crossing() -> None:
    rules = PracticeRules()
    assert reached_requirement(840, 900, rules)
    assert not reached_requirement(900, 960, rules)
    assert not reached_requirement(600, 840, rules)


def test_due_reminder_steps_at_boundaries() -> None:
    assert due_reminder_step(T0, T0) is ReminderStep.NONE
    assert due_reminder_step(T0, T0 + timedelta(days=3, seconds=-1)) is ReminderStep.NONE
    assert due_reminder_step(T0, T0 + timedelta(days=3)) is ReminderStep.FIRST_REMINDER
    assert due_reminder_step(T0, T0 + timedelta(days=7)) is ReminderStep.SECOND_REMINDER
    assert due_reminder_step(T0, T0 + timedelta(days=10)) is ReminderStep.ESCALATED
    assert due_reminder_step(T0, T0 + timedelta(days=400)) is ReminderStep.ESCALATED


def test_next_reminder_step_is_idempotent() -> None:
    now = T0 + timedelta(days=3, hours=1)
    step = next_reminder_step(LogStatus.PENDING, T0, ReminderStep.NONE, now)
    assert step is ReminderStep.FIRST_REMINDER
    assert next_reminder_step(LogStatus.PENDING, T0, step, now) is None
    later = T0 + timedelta(days=8)
    assert next_reminder_step(LogStatus.PENDING, T0, step, later) is ReminderStep.SECOND_REMINDER


def test_next_reminder_step_skips_stale_steps_and_decided_logs() -> None:
    late = T0 + timedelta(days=11)
    assert next_reminder_step(LogStatus.PENDING, T0, ReminderStep.NONE, late) is (
        ReminderStep.ESCALATED
    )
    assert next_reminder_step(LogStatus.CONFIRMED, T0, ReminderStep.NONE, late) is None
    assert next_reminder_step(LogStatus.PENDING, T0, ReminderStep.ESCALATED, late) is None


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)), max_size=8))
def test_a_sweep_never_repeats_or_goes_back(offsets: list[timedelta]) -> None:
    done = ReminderStep.NONE
    for offset in sorted(offsets):
        step = next_reminder_step(LogStatus.PENDING, T0, done, T0 + offset)
        if step is not None:
            assert step > done
            done = step
        assert next_reminder_step(LogStatus.PENDING, T0, done, T0 + offset) is None
