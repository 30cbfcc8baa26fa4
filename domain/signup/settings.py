"""Per-programme signup settings and the small answer rules of the signup (issue 3).

Rules:
- Settings come from `Programme.settings` (a JSON mapping); a missing or malformed value falls
  back to the default: minimum age 14, no maximum, consent below 16, no postcode ranges, consent
  links valid 14 days with a reminder after 3, offers valid 48 hours, signups that never led to
  a place kept 365 days.
- Motivation: 10-1000 characters after trimming.
- A parent's contact: an e-mail address (something@something.tld) or a phone number (10-15
  digits, optionally starting with +, spaces, dashes and brackets allowed), at most 128 characters.
- Consent and invite tokens are stored as the sha256 hex digest of the token; a payload is only
  looked up when it is 8-64 characters of `A-Za-z0-9_-`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.postcodes import PostcodeArea
from domain.signup.capacity import WaitingListRules
from domain.signup.eligibility import EligibilityRules

MOTIVATION_MIN, MOTIVATION_MAX = 10, 1000
CONTACT_MAX = 128
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"\+?[\d\s()\-]{10,24}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _int(settings: Mapping[str, Any], key: str, default: int) -> int:
    value = settings.get(key, default)
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


@dataclass(frozen=True)
class SignupSettings:
    """What a programme decided about signups."""

    eligibility: EligibilityRules = field(default_factory=EligibilityRules)
    area: PostcodeArea = field(default_factory=PostcodeArea)
    consent_valid_days: int = 14
    consent_reminder_days: int = 3
    waiting: WaitingListRules = field(default_factory=WaitingListRules)
    retention_days: int = 365

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any] | None) -> SignupSettings:
        s = settings or {}
        max_age = s.get("max_age")
        ranges = tuple(
            (int(r[0]), int(r[1]))
            for r in s.get("postcode_ranges") or ()
            if isinstance(r, list | tuple) and len(r) == 2
        )
        return cls(
            eligibility=EligibilityRules(
                min_age=_int(s, "min_age", 14),
                max_age=max_age if isinstance(max_age, int) and max_age > 0 else None,
                consent_below_age=_int(s, "consent_below_age", 16),
            ),
            area=PostcodeArea(ranges),
            consent_valid_days=_int(s, "consent_valid_days", 14),
            consent_reminder_days=_int(s, "consent_reminder_days", 3),
            waiting=WaitingListRules(offer_valid_hours=_int(s, "offer_valid_hours", 48)),
            retention_days=_int(s, "signup_retention_days", 365),
        )


class ContactProblem(StrEnum):
    """Why a parent's contact was not accepted."""

    UNREADABLE = "unreadable"
    TOO_LONG = "too_long"


def clean_contact(text: str) -> str | ContactProblem:
    """A phone number or e-mail address, trimmed; or why it is not one."""
    cleaned = " ".join(text.split())
    if len(cleaned) > CONTACT_MAX:
        return ContactProblem.TOO_LONG
    if _EMAIL.fullmatch(cleaned):
        return cleaned
    if _PHONE.fullmatch(cleaned) and 10 <= sum(ch.isdigit() for ch in cleaned) <= 15:
        return cleaned
    return ContactProblem.UNREADABLE


def is_email_address(contact: str | None) -> bool:
    """True when a parent's contact (as `clean_contact` keeps it) is an e-mail address."""
    return bool(contact) and bool(_EMAIL.fullmatch(contact or ""))


def motivation_ok(text: str) -> bool:
    """True when the motivation has 10-1000 characters after trimming."""
    return MOTIVATION_MIN <= len(text.strip()) <= MOTIVATION_MAX


def token_hash(token: str) -> str:
    """The stored form of a token (sha256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_shape_ok(token: str) -> bool:
    """True when a payload could be one of our tokens (8-64 of A-Za-z0-9_-)."""
    return bool(_TOKEN.fullmatch(token))
