"""Status of logged practice hours, the trainee's totals and the supervisor reminders (issue 5).

Rules (thresholds in `PracticeRules`):
- A log is PENDING ("wacht op bevestiging") until a supervisor or coordinator decides: CONFIRMED
  (the logged minutes count), CORRECTED (the corrected minutes count) or REJECTED (nothing counts).
- Totals: confirmed = sum of what counts; waiting = sum of pending logs; needed =
  `required_minutes` (900 = 15 h); remaining = needed minus confirmed, never below zero.
- Reminders for a pending log, by time elapsed since the log was created: the supervisor is
  reminded after `remind_after_days` (3, then 7 days) and the log is escalated to the coordinator
  after `escalate_after_days` (10). `due_reminder_step` is the step the clock has reached;
  `next_reminder_step` is what to do now given the last step already done, so a sweep that runs
  twice does nothing the second time. A bot that was down past several steps only does the latest
  one (no burst of stale reminders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum


class LogStatus(StrEnum):
    """Where a practice-hours log stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"


class HoursKind(StrEnum):
    """What logged hours are: only practice hours count towards `required_minutes`; volunteer
    hours (done as a Citytrainer) are shown apart."""

    PRACTICE = "practice"
    VOLUNTEER = "volunteer"


class ReminderStep(IntEnum):
    """Escalation steps for a pending log, in order."""

    NONE = 0
    FIRST_REMINDER = 1
    SECOND_REMINDER = 2
    ESCALATED = 3


@dataclass(frozen=True)
class PracticeRules:
    """Per-programme practice-hours rules."""

    required_minutes: int = 900
    """Confirmed practice needed for the certificate: 15 hours."""
    remind_after_days: tuple[int, int] = (3, 7)
    """Days after logging at which the supervisor is reminded (first, second)."""
    escalate_after_days: int = 10
    """Days after logging at which the log goes to the coordinator."""


@dataclass(frozen=True)
class LoggedHours:
    """One practice-hours log as far as the totals are concerned."""

    minutes: int
    status: LogStatus
    corrected_minutes: int | None = None
    """For CORRECTED logs: the minutes the supervisor or coordinator set."""

    @property
    def counted_minutes(self) -> int:
        """Minutes that count towards the total: confirmed or corrected, otherwise 0."""
        if self.status is LogStatus.CONFIRMED:
            return self.minutes
        if self.status is LogStatus.CORRECTED:
            return self.minutes if self.corrected_minutes is None else self.corrected_minutes
        return 0


@dataclass(frozen=True)
class HoursTotals:
    """A trainee's practice totals, in minutes."""

    confirmed_minutes: int
    waiting_minutes: int
    required_minutes: int

    @property
    def remaining_minutes(self) -> int:
        """Confirmed minutes still needed (never negative)."""
        return max(0, self.required_minutes - self.confirmed_minutes)

    @property
    def complete(self) -> bool:
        """True when the confirmed minutes reach the requirement."""
        return self.confirmed_minutes >= self.required_minutes


def hours_totals(logs: Iterable[LoggedHours], rules: PracticeRules | None = None) -> HoursTotals:
    """Confirmed, waiting and required minutes over a trainee's logs."""
    rules = rules or PracticeRules()
    confirmed = waiting = 0
    for log in logs:
        confirmed += log.counted_minutes
        if log.status is LogStatus.PENDING:
            waiting += log.minutes
    return HoursTotals(confirmed, waiting, rules.required_minutes)


def reached_requirement(before_minutes: int, after_minutes: int, rules: PracticeRules) -> bool:
    """True exactly when a decision moves the confirmed total across the requirement."""
    return before_minutes < rules.required_minutes <= after_minutes


def due_reminder_step(
    created_at: datetime, now: datetime, rules: PracticeRules | None = None
) -> ReminderStep:
    """The latest step whose time has come for a pending log created at `created_at`."""
    rules = rules or PracticeRules()
    elapsed = now - created_at
    first, second = rules.remind_after_days
    if elapsed >= timedelta(days=rules.escalate_after_days):
        return ReminderStep.ESCALATED
    if elapsed >= timedelta(days=second):
        return ReminderStep.SECOND_REMINDER
    if elapsed >= timedelta(days=first):
        return ReminderStep.FIRST_REMINDER
    return ReminderStep.NONE


def next_reminder_step(
    status: LogStatus,
    created_at: datetime,
    last_done: ReminderStep,
    now: datetime,
    rules: PracticeRules | None = None,
) -> ReminderStep | None:
    """The step to carry out now, or None: only for pending logs, only when past `last_done`."""
    if status is not LogStatus.PENDING:
        return None
    due = due_reminder_step(created_at, now, rules)
    return due if due > last_done else None
