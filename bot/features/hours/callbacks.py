"""Callback data of the hours feature's inline buttons.

Two prefixes: `hv` for the signed decision buttons that supervisors and coordinators get, `hr`
for the trainees' and coordinators' own flows. aiogram packs only the values, in field order
("hv:c:12:<sig>", "hr:l-d:1"), so the field names may change but the prefixes, the order of
the fields and the enum values below may not: buttons already sent keep working. Data that no
longer parses (an unknown action, a wrong number of parts) matches no filter and ends in the
fallback router ("This button no longer works").
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from aiogram.filters.callback_data import CallbackData


class DecisionAction(StrEnum):
    """What a supervisor's (or coordinator's) decision button does."""

    CONFIRM = "c"
    ADJUST = "a"
    REJECT = "r"
    CONFIRM_ALL = "all"
    """The digest's button: every pending log up to `log_id` (the highest log id shown)."""


class DecisionCb(CallbackData, prefix="hv"):
    """A signed decision button (`bot.features.hours.common.signed`)."""

    action: DecisionAction
    log_id: int
    signature: str


class HoursAction(StrEnum):
    """The buttons of the trainee's /uren flow (l-), the organisations list (o-) and placing a
    trainee (p-)."""

    LOG_START = "l-new"
    LOG_PLACE = "l-p"
    LOG_DAY = "l-d"
    LOG_SAVE = "l-ok"
    LOG_AGAIN = "l-re"
    ORGANISATION_NEW = "o-new"
    ORGANISATION_KIND = "o-k"
    ORGANISATION_INVITE = "o-inv"
    ORGANISATION_PLACE = "o-pl"
    PLACE_TRAINEE = "p-t"
    PLACE_SUPERVISOR = "p-s"
    PLACE_TRACK = "p-k"
    PLACE_CONFIRM = "p-ok"
    DIGEST_MORE = "d-more"
    """/begeleiden's "More": the next page of the digest, after log id `value`."""


LOG_ACTIONS = frozenset(
    {
        HoursAction.LOG_START,
        HoursAction.LOG_PLACE,
        HoursAction.LOG_DAY,
        HoursAction.LOG_SAVE,
        HoursAction.LOG_AGAIN,
    }
)
"""The /uren flow's buttons: tapped after the flow ended, they say the question is closed."""


class DayChoice(IntEnum):
    """`HoursCb.value` of the "On which day?" buttons: days ago, or another day (typed)."""

    TODAY = 0
    YESTERDAY = 1
    OTHER = 99


class HoursCb(CallbackData, prefix="hr"):
    """Buttons of the hours feature for trainees and coordinators (supervisors: `DecisionCb`)."""

    action: HoursAction
    value: int = 0
    """What the button stands for: a placement, organisation or person id, the index of a
    kind or track, or a `DayChoice`."""
