"""When session reminders are due, and quiet hours for minors (issue 4, also used by issue 7).

Rules (`ReminderRules`):
- Two reminders per session: the evening before at `evening_before` (19:00 local) and
  `minutes_before` (120) before the start.
- Quiet hours: nobody younger than `quiet_below_age` (18) gets a message between `quiet_start`
  (21:00) and `quiet_end` (08:00) local. An unknown age counts as a minor.
- A message that would land in quiet hours is moved to `quiet_end` (08:00) that morning. When the
  session starts at or before that moment, it is moved instead to `evening_fallback` (20:30) on
  the evening the quiet hours began, i.e. the last moment before them; this can be earlier than
  intended, which for a reminder is fine. Without a session (e.g. a nudge) only the move to 08:00
  applies.
- A reminder is still worth sending after downtime only while the session has not begun.

Quiet hours for every message (issue 11, point 6; applied by `storage.outbox` to every row it
writes or hands to the sender, so no feature can forget them):
- Who counts as an adult (`counts_as_adult`): a known date of birth decides (18 or older on the
  local day), whatever the person's roles; a 16-year-old supervisor is a minor. Without a date of
  birth, a staff role (coordinator, supervisor, course leader: `domain.roles.STAFF_ROLES`) counts
  as an adult and anyone else (participants, Citytrainers, parents, people we do not know) as a
  minor. A date of birth after today is wrong data: a minor.
- `not_before_for`: a message for an adult goes at the time asked (or now). For a minor, when
  the later of that time and now falls in the quiet hours, it is moved to the end of those quiet
  hours (`quiet_end`, 08:00 local, also on the nights of a DST change); a later time asked by
  the caller is kept.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.dates import age_on
from domain.local_time import AMSTERDAM, at_local, to_local
from domain.roles import STAFF_ROLES, Role


class ReminderKind(StrEnum):
    """The reminders of one session."""

    EVENING_BEFORE = "evening_before"
    HOURS_BEFORE = "hours_before"


@dataclass(frozen=True)
class ReminderRules:
    """Per-programme reminder times and quiet hours."""

    evening_before: time = time(19, 0)
    minutes_before: int = 120
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    quiet_below_age: int = 18
    evening_fallback: time = time(20, 30)


@dataclass(frozen=True)
class ScheduledReminder:
    """A reminder and the UTC moment it is intended for."""

    kind: ReminderKind
    at: datetime


def reminder_times(
    session_start_utc: datetime, tz: ZoneInfo = AMSTERDAM, rules: ReminderRules | None = None
) -> tuple[ScheduledReminder, ...]:
    """The intended moments of a session's reminders, in time order."""
    rules = rules or ReminderRules()
    local_day = to_local(session_start_utc, tz).date()
    evening = at_local(local_day - timedelta(days=1), rules.evening_before, tz)
    before = session_start_utc - timedelta(minutes=rules.minutes_before)
    reminders = [
        ScheduledReminder(ReminderKind.EVENING_BEFORE, evening),
        ScheduledReminder(ReminderKind.HOURS_BEFORE, before),
    ]
    return tuple(sorted(reminders, key=lambda r: r.at))


def in_quiet_hours(local_clock: time, rules: ReminderRules | None = None) -> bool:
    """True when a local wall-clock time falls in the quiet hours (start inclusive)."""
    rules = rules or ReminderRules()
    start, end = rules.quiet_start, rules.quiet_end
    if start <= end:
        return start <= local_clock < end
    return local_clock >= start or local_clock < end


def deliver_at(
    intended_utc: datetime,
    recipient_age: int | None,
    session_start_utc: datetime | None = None,
    tz: ZoneInfo = AMSTERDAM,
    rules: ReminderRules | None = None,
) -> datetime:
    """The UTC moment a message intended for `intended_utc` may be delivered (module rules)."""
    rules = rules or ReminderRules()
    if recipient_age is not None and recipient_age >= rules.quiet_below_age:
        return intended_utc
    local = to_local(intended_utc, tz)
    if not in_quiet_hours(local.time(), rules):
        return intended_utc
    # the local day on which these quiet hours began, and the morning they end
    began = local.date()
    if rules.quiet_start > rules.quiet_end and local.time() < rules.quiet_end:
        began -= timedelta(days=1)
    ends_on = began + timedelta(days=1) if rules.quiet_start > rules.quiet_end else began
    morning = at_local(ends_on, rules.quiet_end, tz)
    if session_start_utc is None or morning < session_start_utc:
        return morning
    return at_local(began, rules.evening_fallback, tz)


def reminder_still_useful(session_start_utc: datetime, now: datetime) -> bool:
    """True while the session has not begun (late reminders after downtime are dropped)."""
    return now < session_start_utc


def counts_as_adult(
    birth_date: date | None,
    roles: Collection[Role],
    today: date,
    rules: ReminderRules | None = None,
) -> bool:
    """True when quiet hours do not apply to this person (see the module docstring)."""
    rules = rules or ReminderRules()
    if birth_date is None:
        return not STAFF_ROLES.isdisjoint(roles)
    if birth_date > today:
        return False
    return age_on(birth_date, today) >= rules.quiet_below_age


def not_before_for(
    now: datetime,
    requested: datetime | None,
    *,
    adult: bool,
    tz: ZoneInfo = AMSTERDAM,
    rules: ReminderRules | None = None,
) -> datetime:
    """The earliest UTC moment a message may go to one recipient (see the module docstring).

    `requested` is the caller's `not_before` (None: as soon as possible).
    """
    wanted = requested or now
    if adult:
        return wanted
    sent_at = max(wanted, now)  # the sender takes a row at its not_before or later
    if not in_quiet_hours(to_local(sent_at, tz).time(), rules):
        return wanted
    return deliver_at(sent_at, None, tz=tz, rules=rules)
