"""Where an opportunity and a sign-up stand, and what "Ik doe mee" gave (the opportunities issue).

Rules:
- An opportunity is OPEN for sign-ups once published (until its deadline or its start, see
  `storage.opportunities.queries.is_open`); CLOSED is never stored today but is a known value.
- A sign-up is PLACED (it holds one of the places) or WAITING (on the waiting list, first come
  first served); CANCELLED when given up. A cancelled place goes to the first WAITING sign-up.
- Tapping "Ik doe mee" gives a place (PLACED), a place on the waiting list (WAITING) when the
  opportunity is full, or nothing (CLOSED) when it no longer takes sign-ups, or nothing
  (REFUSED) when the person may not join it (`domain.opportunities.matching.join_mismatches`:
  another programme, a role that may not join, track, age or area).
The values are stored as plain text (`opportunity.status`, `opportunity_signup.status`) and
appear in idempotency keys, so they never change.
"""

from __future__ import annotations

from enum import StrEnum


class OpportunityStatus(StrEnum):
    """Whether an opportunity takes sign-ups."""

    OPEN = "open"
    CLOSED = "closed"


class SignupStatus(StrEnum):
    """A person's place at an opportunity."""

    PLACED = "placed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class JoinOutcome(StrEnum):
    """What tapping "Ik doe mee" gave."""

    PLACED = "placed"
    WAITING = "waiting"
    CLOSED = "closed"
    REFUSED = "refused"
