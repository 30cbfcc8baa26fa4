"""Idempotency keys of nazorg's outbox rows, built in one place (`storage.refs.key`).

The texts must never change: rows already in the outbox (and `NazorgNudge.outbox_key`) rely on
them. Nazorg's messages carry no ref (nothing replies to them).
"""

from __future__ import annotations

import datetime as dt

from domain.nazorg.engagement import NudgeStep
from storage.refs import key

KIND = "nazorg"


def nudge_key(person_id: int, cycle_start: dt.datetime, step: NudgeStep) -> str:
    """One nudge message: "nazorg:nudge:<person>:<cycle start, unix seconds>:<step>"."""
    return key(KIND, "nudge", person_id, int(cycle_start.timestamp()), step.value)


def reply_key(reply_id: int) -> str:
    """The coordinators' note about one answer to a nudge: "nazorg:reply:<reply id>"."""
    return key(KIND, "reply", reply_id)


def digest_key(period: str, chat: str) -> str:
    """One weekly digest to one coordinator chat: "nazorg:digest:<ISO week>:<chat>"."""
    return key(KIND, "digest", period, chat)
