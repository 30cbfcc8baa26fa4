"""Refs and idempotency keys of the hours feature, built in one place (`storage.refs`).

The texts must never change: outbox rows already written rely on them ("hours:12",
"hours:12:remind1:to:34", ...), and a reply to a log's message is routed by its ref.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from domain.hours.practice import LogStatus, ReminderStep
from storage.refs import Ref, key, ref

KIND = "hours"
"""The ref kind of a log's decision messages; replies to them go to the hours feature."""


def log_ref(log_id: int) -> str:
    """The ref of a log's decision message ("hours:12")."""
    return ref(KIND, log_id)


def log_id_of(ident: str) -> int | None:
    """The log id of a ref's ident, or None when it is not one."""
    return Ref(KIND, ident).number


def _round(step: ReminderStep) -> str:
    return "new" if step is ReminderStep.NONE else f"remind{int(step)}"


def to_supervisor(log_id: int, step: ReminderStep, person_id: int) -> str:
    """A decision message (new, or a reminder) to one supervisor."""
    return key(KIND, log_id, _round(step), "to", person_id)


def to_coordinators(log_id: int, step: ReminderStep) -> str:
    """A decision message to the coordinators when no supervisor can be asked."""
    return key(KIND, log_id, _round(step), "co")


def escalated(log_id: int) -> str:
    return key(KIND, log_id, "escalated")


def outcome(log_id: int, status: LogStatus, minutes: int, now: dt.datetime) -> str:
    """The trainee is told about a decision or correction (one per change)."""
    return key(KIND, log_id, "outcome", status.value, minutes, now.isoformat())


def complete(person_id: int) -> str:
    """The person reached the required practice hours (once a person)."""
    return key(KIND, "complete", person_id)


def invite_used(invite_id: int) -> str:
    return key(KIND, "invite", invite_id, "used")


def placement(placement_id: int, to: Literal["supervisor", "trainee"]) -> str:
    """The introduction of a placement, to the supervisor or the trainee."""
    return key(KIND, "placement", placement_id, to)
