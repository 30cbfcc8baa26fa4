"""Refs and idempotency keys of Citytrainers' own activities, built in one place.

The texts never change: outbox rows already written rely on them (a key makes a row unique, a
ref routes a reply to `thread.by_reply`).
- ref `proposal:<id>`: every message about a proposal;
- keys `proposal:<id>:new|approved|declined`, `proposal:<id>:q|a:<note id>` (thread messages),
  `activity:<id>:report` (the report is asked) and `activity:<id>:reported` (coordinators told).
"""

from __future__ import annotations

from storage.activities.models import ActivityStatus
from storage.refs import Ref, key, ref

PROPOSAL = "proposal"
"""The ref kind of messages about a proposal; replies to them come back by it."""
ACTIVITY = "activity"


def proposal_ref(activity_id: int) -> str:
    return ref(PROPOSAL, activity_id)


def proposal_id(ident: str) -> int | None:
    """The activity id in the ident of a `proposal` ref, None when it is not one."""
    return Ref(PROPOSAL, ident).number


def new_proposal_key(activity_id: int) -> str:
    return key(PROPOSAL, activity_id, "new")


def decision_key(activity_id: int, decision: ActivityStatus) -> str:
    """`proposal:<id>:approved` or `proposal:<id>:declined`."""
    if decision is ActivityStatus.SUBMITTED:
        raise ValueError("a decision approves or declines")
    return key(PROPOSAL, activity_id, decision.value)


def question_key(activity_id: int, note_id: int) -> str:
    return key(PROPOSAL, activity_id, "q", note_id)


def answer_key(activity_id: int, note_id: int) -> str:
    return key(PROPOSAL, activity_id, "a", note_id)


def report_asked_key(activity_id: int) -> str:
    return key(ACTIVITY, activity_id, "report")


def report_saved_key(activity_id: int) -> str:
    return key(ACTIVITY, activity_id, "reported")
