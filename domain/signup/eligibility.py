"""Who may sign up for the course, by age (PROGRAMME.md "Who may join", issue 3).

Rules (thresholds in `EligibilityRules`, ages computed with `domain.dates.age_on` on the
programme's local "today"):
- Younger than `min_age` (default 14): `TOO_YOUNG`, with the day of their `min_age`-th birthday,
  from which they may sign up.
- Older than `max_age` where one is set (`max_age` itself is still allowed, so a 15-23 programme
  accepts a 23-year-old and refuses a 24-year-old): `TOO_OLD`.
- Younger than `consent_below_age` (default 16, UAVG art. 5): `NEEDS_CONSENT`, with the day of the
  16th birthday from which consent is no longer needed. On the 16th birthday itself no consent is
  needed; on the 14th birthday itself the person may sign up.
- Otherwise `OK`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.dates import age_on, day_of_age


class EligibilityStatus(StrEnum):
    """Outcome of the age check."""

    OK = "ok"
    NEEDS_CONSENT = "needs_consent"
    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class EligibilityRules:
    """Per-programme age limits."""

    min_age: int = 14
    """Youngest age at which a person may sign up."""
    max_age: int | None = None
    """Oldest age still accepted (inclusive); None means no upper limit."""
    consent_below_age: int = 16
    """Below this age a parent's or guardian's consent is needed."""


@dataclass(frozen=True)
class Eligibility:
    """Result of `check_eligibility`."""

    status: EligibilityStatus
    age: int
    may_sign_up_from: date | None = None
    """For TOO_YOUNG: the birthday from which the person may sign up."""
    consent_needed_until: date | None = None
    """For NEEDS_CONSENT: the birthday from which consent is no longer needed (exclusive end)."""

    @property
    def may_continue(self) -> bool:
        """True when the signup may go on (with or without consent)."""
        return self.status in (EligibilityStatus.OK, EligibilityStatus.NEEDS_CONSENT)


def check_eligibility(
    birth: date, today: date, rules: EligibilityRules | None = None
) -> Eligibility:
    """Decide whether a person born on `birth` may sign up on `today` (see module docstring)."""
    rules = rules or EligibilityRules()
    age = age_on(birth, today)
    if age < rules.min_age:
        return Eligibility(
            EligibilityStatus.TOO_YOUNG, age, may_sign_up_from=day_of_age(birth, rules.min_age)
        )
    if rules.max_age is not None and age > rules.max_age:
        return Eligibility(EligibilityStatus.TOO_OLD, age)
    if age < rules.consent_below_age:
        return Eligibility(
            EligibilityStatus.NEEDS_CONSENT,
            age,
            consent_needed_until=day_of_age(birth, rules.consent_below_age),
        )
    return Eligibility(EligibilityStatus.OK, age)
