"""Where a signup, a place in a group and a consent stand (issue 3).

Rules:
- A signup goes `AWAITING_CONSENT` (under 16, waiting for a parent) -> `SUBMITTED` -> `PLACED`,
  `WAITING` or `DECLINED`; it is `WITHDRAWN` when the person, a parent or a lapsed offer stops it.
  A person with an `OPEN_SIGNUP` sees it instead of signing up again.
- An enrolment (a person's row in one group) is `PLACED`, `WAITING` (on the group's waiting
  list), `OFFERED` (a freed place, open until the offer expires), `DECLINED` (an offered place
  said no to) or `WITHDRAWN` (left, or an offer lapsed). `HOLDS_PLACE` rows stop when the person
  leaves; `ON_WAITING_LIST` rows are the person's places in line.
- A consent is for the privacy statement (`PRIVACY`) or a parent's permission (`PARENTAL`),
  given on Telegram, on the web page or on paper (`ConsentMethod`); a parent's permission also
  records how the request reached the parent (`ConsentRoute`: an e-mail to the parent, a link
  the participant forwarded, or a paper form). See `domain.signup.consent`.
"""

from __future__ import annotations

from enum import StrEnum


class SignupStatus(StrEnum):
    """Where one signup stands (stored in `signup.status`, at most 24 characters)."""

    AWAITING_CONSENT = "awaiting_consent"
    SUBMITTED = "submitted"
    PLACED = "placed"
    WAITING = "waiting"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


OPEN_SIGNUP: tuple[SignupStatus, ...] = (
    SignupStatus.AWAITING_CONSENT,
    SignupStatus.SUBMITTED,
    SignupStatus.PLACED,
    SignupStatus.WAITING,
)
"""A person with a signup in one of these statuses sees it instead of signing up again."""

UNDECIDED: tuple[SignupStatus, ...] = (SignupStatus.SUBMITTED, SignupStatus.WAITING)
"""Signups a coordinator may still place, put on a list, ask about or decline."""

NEVER_PLACED: tuple[SignupStatus, ...] = (
    SignupStatus.SUBMITTED,
    SignupStatus.WAITING,
    SignupStatus.DECLINED,
    SignupStatus.WITHDRAWN,
)
"""Signups that did not lead to a place (their answers go after the retention period)."""


class EnrolmentStatus(StrEnum):
    """Where a person stands in one group (stored in `enrolment.status`, at most 16 characters)."""

    PLACED = "placed"
    WAITING = "waiting"
    OFFERED = "offered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


HOLDS_PLACE: tuple[EnrolmentStatus, ...] = (
    EnrolmentStatus.PLACED,
    EnrolmentStatus.WAITING,
    EnrolmentStatus.OFFERED,
)
"""A place, a place in line or an offer: what stops when the person leaves."""

ON_WAITING_LIST: tuple[EnrolmentStatus, ...] = (EnrolmentStatus.WAITING, EnrolmentStatus.OFFERED)
"""The rows of a person still in line (waiting, or with an offer)."""


class ConsentKind(StrEnum):
    """What a consent is for (stored in `consent.kind`)."""

    PRIVACY = "privacy"
    PARENTAL = "parental"


class ConsentMethod(StrEnum):
    """How a consent was given (stored in `consent.method`)."""

    TELEGRAM = "telegram"
    WEB = "web"
    PAPER = "paper"


class ConsentRoute(StrEnum):
    """How a request for a parent's permission reached the parent (stored in `consent.route` and
    `signup_consent_token.route`, at most 16 characters)."""

    EMAIL = "email"
    """An e-mail to the parent's address, with the link to the web page."""
    FORWARDED = "forwarded"
    """A message the participant forwarded to the parent (only a phone number was given)."""
    PAPER = "paper"
    """A signed paper form, recorded by a coordinator."""
