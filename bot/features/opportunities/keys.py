"""Refs and idempotency keys of the opportunities feature, built with `storage.refs`.

The texts never change: rows already in the outbox rely on them ("op:12:joined:34:1767000000",
"opbc:5:final", "opsignup:9:attended"). The broadcast's own key per person ("op:12:to:34") and
its ref are built in storage (`storage.opportunities.queries.recipient_key`), which may not
import the bot; tests check both builders agree.
"""

from __future__ import annotations

import datetime as dt

from storage.opportunities.queries import REF_KIND
from storage.refs import key, ref

BROADCAST_KIND = "opbc"
SIGNUP_KIND = "opsignup"


def opportunity_ref(opportunity_id: int) -> str:
    """What a message about an opportunity is about: "op:12"."""
    return ref(REF_KIND, opportunity_id)


def _moment(now: dt.datetime) -> int:
    return int(now.timestamp())


def joined_key(opportunity_id: int, person_id: int, now: dt.datetime) -> str:
    """The base of the messages after "Ik doe mee": "op:12:joined:34:<unix seconds>"."""
    return key(REF_KIND, opportunity_id, "joined", person_id, _moment(now))


def cancelled_key(opportunity_id: int, person_id: int, now: dt.datetime) -> str:
    """The base of the messages after a cancellation: "op:12:cancel:34:<unix seconds>"."""
    return key(REF_KIND, opportunity_id, "cancel", person_id, _moment(now))


def to_me(base: str, outcome: str) -> str:
    """The confirmation to the person who tapped: "<base>:placed:me"."""
    return key(base, outcome, "me")


def to_supervisor(base: str, chat_id: str) -> str:
    """One of the organisation's supervisors: "<base>:sv:<chat>"."""
    return key(base, "sv", chat_id)


def to_coordinator(base: str) -> str:
    """The coordinator who posted it, or all coordinators: "<base>:co"."""
    return key(base, "co")


def moved_up(base: str) -> str:
    """The first on the waiting list, who got the freed place: "<base>:up"."""
    return key(base, "up")


def broadcast_final_key(broadcast_id: int) -> str:
    """The coordinator's final report of a broadcast: "opbc:5:final"."""
    return key(BROADCAST_KIND, broadcast_id, "final")


def broadcast_edit_key(broadcast_id: int, shown: str) -> str:
    """One edit of the progress message, per counts shown: "opbc:5:edit:3/1/0/0"."""
    return key(BROADCAST_KIND, broadcast_id, "edit", shown)


def attendance_key(signup_id: int) -> str:
    """ "Did you take part?" once a sign-up: "opsignup:9:attended"."""
    return key(SIGNUP_KIND, signup_id, "attended")
