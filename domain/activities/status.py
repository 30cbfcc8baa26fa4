"""The words of the activities feature: a proposal's status, its kind, its needs."""

from __future__ import annotations

from enum import StrEnum


class ActivityStatus(StrEnum):
    """Where a proposal stands: submitted, then approved or declined by a coordinator (once)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"


class ActivityKind(StrEnum):
    """What kind of activity a Citytrainer proposes (the /voorstel question)."""

    SPORT = "sport"
    CULTURE = "culture"
    SOCIAL = "social"


class Need(StrEnum):
    """What an activity needs; `Activity.needs` holds the chosen values, comma-separated."""

    SPACE = "space"
    MATERIAL = "material"
    MONEY = "money"
    HELP = "help"
    PARTNER = "partner"


class ThreadSide(StrEnum):
    """Who wrote a message in the thread about a proposal."""

    COORDINATOR = "coordinator"
    CITYTRAINER = "citytrainer"
