"""Idempotency keys of the course's outbox messages, built in one place.

The texts never change: rows already in the outbox rely on them (and `storage.course.queries`
finds a session's queued reminders by `reminder:<session id>:`). A key with the session's start
changes when the session moves, so a moved session gets new messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from domain.reminders import ReminderKind
from storage.course.queries import REMINDER_KEY
from storage.refs import key

CANCELLED_STAMP = "cancelled"


def reminder_key(
    session_id: int, person_id: int, kind: ReminderKind, starts_at: dt.datetime
) -> str:
    """`reminder:<session>:<person>:<kind>:<start>`."""
    return key(REMINDER_KEY, session_id, person_id, kind.value, starts_at.isoformat())


def session_change_key(session_id: int, person_id: int, new_start: dt.datetime | None) -> str:
    """`session-change:<session>:<person>:<new start>`, or `...:cancelled` (`new_start` None)."""
    stamp = CANCELLED_STAMP if new_start is None else new_start.isoformat()
    return key("session-change", session_id, person_id, stamp)


def absence_key(session_id: int, person_id: int, starts_at: dt.datetime, leader_id: int) -> str:
    """`absence:<session>:<person>:<start>:to:<leader>`: "ik kan niet" told to one leader."""
    return key("absence", session_id, person_id, starts_at.isoformat(), "to", leader_id)


def attendance_open_key(session_id: int, leader_id: int, starts_at: dt.datetime) -> str:
    """`attendance-open:<session>:<leader>:<start>`: the checklist when the session begins."""
    return key("attendance-open", session_id, leader_id, starts_at.isoformat())


def attendance_missing_key(session_id: int, leader_id: int) -> str:
    """`attendance-missing:<session>:<leader>`: the day-after nudge."""
    return key("attendance-missing", session_id, leader_id)


def participation_key(person_id: int) -> str:
    """`participation:<person>`: "bewijs van deelname"."""
    return key("participation", person_id)


def certificate_request_key(certificate_id: int) -> str:
    """`certificate-request:<certificate>` (the outbox adds `:to:<chat>` per coordinator)."""
    return key("certificate-request", certificate_id)


def certificate_congrats_key(certificate_id: int) -> str:
    """`certificate:<certificate>:congrats`."""
    return key("certificate", certificate_id, "congrats")


def certificate_pdf_key(certificate_id: int) -> str:
    """`certificate:<certificate>:pdf`."""
    return key("certificate", certificate_id, "pdf")


def leader_invite_used_key(invite_id: int) -> str:
    """`leader-invite:<invite>:used` (the outbox adds `:to:<chat>` per coordinator)."""
    return key("leader-invite", invite_id, "used")


def leader_changed_key(
    cohort_id: int, person_id: int, change: Literal["added", "removed"], at: dt.datetime
) -> str:
    """`cohort-leader:<cohort>:<person>:added|removed:<when>`: told to the leader concerned (a
    leader removed and chosen again is told again)."""
    return key("cohort-leader", cohort_id, person_id, change, at.isoformat())
