"""Callback data of Citytrainers' own activities (prefix `pr`, shared with /cijfers).

Every button packs as `pr:<action>:<number>:<value>`: buttons already on people's phones carry
exactly these values, so the prefix, the three parts and the action values never change (field
names are not packed and may change). Each class below takes its own actions; a payload whose
action, number or value does not parse matches no class, and the fallback router answers
"This button no longer works". The impact feature's period buttons (`fig`) are in
`bot.features.impact.callbacks`; action values are unique across all `pr` classes.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from storage.activities.models import Need

PREFIX = "pr"


class ProposalAction(StrEnum):
    """Buttons of the /voorstel flow."""

    PICK = "pick"  # a choice button of a question
    NEEDS_DONE = "needs_done"  # the needs question is answered
    SUBMIT = "submit"  # the preview: send it to the coordinator
    STOP = "stop"  # the preview: stop, nothing is sent


class ProposalCb(CallbackData, prefix=PREFIX):
    action: ProposalAction
    step: int = 0
    """The index of the question the button belongs to (0 on the preview's buttons)."""
    choice: str = ""
    """PICK: the value of one of the question's choices; the question's own parser checks it
    like typed text (a kind, or "-" for "don't know yet")."""


class NeedAction(StrEnum):
    TOGGLE = "need"


class NeedCb(CallbackData, prefix=PREFIX):
    """A need switched on or off in the needs question of /voorstel."""

    action: NeedAction
    step: int
    need: Need


class DecisionAction(StrEnum):
    """The coordinator's buttons under a proposal, and the Citytrainer's "Answer"."""

    APPROVE = "ok"
    ASK = "ask"
    DECLINE = "no"
    ANSWER = "answer"  # the Citytrainer answers a question about their proposal


class DecisionCb(CallbackData, prefix=PREFIX):
    action: DecisionAction
    activity_id: int
    unused: str = ""
    """Always empty; keeps the three-part layout of the buttons already sent."""


class AgendaAction(StrEnum):
    PAGE = "ag"


class AgendaPageCb(CallbackData, prefix=PREFIX):
    """« Previous / Next » in /agenda."""

    action: AgendaAction
    index: int = 0
    """The first line of the page to show."""
    unused: str = ""
    """Always empty; keeps the three-part layout of the buttons already sent."""


class HelpersAction(StrEnum):
    ASK = "helpers"  # "Ask for helpers" under an approved activity
    COUNT = "hn"  # how many helpers


class HelperCount(StrEnum):
    """The helper counts offered as buttons."""

    ONE = "1"
    TWO = "2"
    THREE = "3"
    FIVE = "5"
    TEN = "10"


class HelpersCb(CallbackData, prefix=PREFIX):
    action: HelpersAction
    activity_id: int
    count: HelperCount | None = None
    """COUNT: the number of helpers asked for (None, packed empty, on the ASK button)."""


class ReportAction(StrEnum):
    """The after-activity report's buttons."""

    HAPPENED = "ry"
    NOT_HAPPENED = "rn"
    SKIP_STORY = "skip"


class ReportCb(CallbackData, prefix=PREFIX):
    action: ReportAction
    activity_id: int = 0
    """The activity reported on (0 on the Skip button: the conversation knows it)."""
    unused: str = ""
    """Always empty; keeps the three-part layout of the buttons already sent."""


CALLBACKS: tuple[type[CallbackData], ...] = (
    ProposalCb,
    NeedCb,
    DecisionCb,
    AgendaPageCb,
    HelpersCb,
    ReportCb,
)
"""Every `pr` class of this feature (their actions must not overlap)."""
