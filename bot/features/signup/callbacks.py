"""The signup's inline buttons: one `CallbackData` class per kind of button.

Buttons stay on people's phones for weeks, so what a button carries never changes: prefix `su`
for the person's and parent's buttons, `sd` for the coordinators'; always the same number of
parts after the prefix, in the same order, with the same values (every action keeps its old
text). Only the field names are new, and aiogram does not pack those. Parts a kind of button
does not use are `spare` and always empty.

Several classes share a prefix; their actions differ, so a payload parses as at most one of
them. A payload that parses as none (an unknown action, an id that is not a number, a step that
does not exist, a wrong number of parts) matches no filter, and the fallback router answers
"This button no longer works".
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.features.signup.labels import Step


class FlowAction(StrEnum):
    """The buttons of the signup conversation (/aanmelden)."""

    START = "go"
    ANSWER = "a"
    BACK = "back"
    SEND = "ok"
    EDIT = "edit"
    EDIT_STEP = "e"


class SignupFlowCb(CallbackData, prefix="su"):
    """`su:<action>:<step>:<value>`: start, answer a question, go back, send or change."""

    action: FlowAction
    step: Step | None = None
    value: str = ""
    """A button's answer (one of `labels.CHOICES[step]`, or `labels.SKIP`)."""


class OfferAnswer(StrEnum):
    """A person's answer to the offer of a freed place."""

    ACCEPT = "oa"
    DECLINE = "od"


class OfferCb(CallbackData, prefix="su"):
    """`su:<oa|od>:<enrolment id>:`."""

    action: OfferAnswer
    enrolment: int
    spare: str = ""


class DeleteChoice(StrEnum):
    """/verwijderen: delete everything, or keep it."""

    DELETE = "del"
    KEEP = "keep"


class DeleteDataCb(CallbackData, prefix="su"):
    """`su:<del|keep>::`."""

    action: DeleteChoice
    spare: str = ""
    spare_2: str = ""


class ParentConsentAction(StrEnum):
    DECIDE = "pc"


class ParentChoice(StrEnum):
    """A parent's answer to a consent request."""

    YES = "yes"
    NO = "no"


class ParentConsentCb(CallbackData, prefix="su"):
    """`su:pc:<consent token id>:<yes|no>`."""

    action: ParentConsentAction
    token: int
    choice: ParentChoice


class ConsentAction(StrEnum):
    """/toestemming: a new consent link, or withdrawing the consent."""

    NEW_LINK = "newlink"
    WITHDRAW = "withdraw"


class ConsentCb(CallbackData, prefix="su"):
    """`su:<newlink|withdraw>:<signup id>:`."""

    action: ConsentAction
    signup: int
    spare: str = ""


class DecisionAction(StrEnum):
    """A coordinator's buttons on a signup."""

    PLACE = "place"
    """Choose the group to place the person in (then `PLACE_IN`)."""
    WAIT = "wait"
    """Choose the group whose waiting list the person goes on (then `WAIT_IN`)."""
    PLACE_IN = "pg"
    WAIT_IN = "wg"
    ASK = "ask"
    DECLINE = "decline"
    PAPER = "paper"
    """Record a parent's consent given on paper."""
    SHOW = "show"
    """Show an open signup with its decision buttons (/aanmeldingen)."""
    VERIFY = "verify"
    """The coordinator called the parent and confirmed the permission ("nagebeld en bevestigd")."""


class SignupDecision(CallbackData, prefix="sd"):
    """`sd:<action>:<signup id>:<group id>` (group id 0 before a group is chosen)."""

    action: DecisionAction
    signup: int = 0
    cohort: int = 0


class InviteAction(StrEnum):
    """/uitnodiging: a group chosen, then how many people may use the link."""

    CHOOSE_USES = "inv"
    MAKE_LINK = "invu"


class InviteCb(CallbackData, prefix="sd"):
    """`sd:<inv|invu>:<maximum uses, 0 for no limit>:<group id>`."""

    action: InviteAction
    max_uses: int = 0
    cohort: int = 0
