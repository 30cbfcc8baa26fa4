"""Callback data of the opportunities feature: every button's data is `op:<action>:<number>:<text>`.

All classes share the prefix `op` and the same three parts, so buttons sent before these classes
existed (one class `Op` with fields `a`, `i`, `v`) still work: the packed values are unchanged.
Each class accepts only its own actions (a `StrEnum`; `OpenCallback` and `PageCallback` share
`ListAction`), and handlers always filter by action: `OfferCallback.filter(F.action ==
OfferAction.JOIN)`. Data that does not parse (an unknown action, a number that is not one, too
few or too many parts) matches no handler, and the fallback router answers "This button no
longer works". Fields a class does not use are `spare...` (packed as the old default: 0 or "").
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

PREFIX = "op"


class OfferAction(StrEnum):
    """The buttons under an opportunity (and "Cancel my sign-up" under a confirmation)."""

    JOIN = "join"
    INFO = "info"
    NOT_FOR_ME = "no"
    CANCEL = "cancel"


class OfferCallback(CallbackData, prefix=PREFIX):
    """`op:join:12:` — an answer to opportunity 12."""

    action: OfferAction
    opportunity_id: int = 0
    spare: str = ""


class ListAction(StrEnum):
    """The buttons of /kansen."""

    OPEN = "open"
    PAGE = "page"


class OpenCallback(CallbackData, prefix=PREFIX):
    """`op:open:12:5` — show opportunity 12; "Back to the list" returns to the page at index 5."""

    action: ListAction
    opportunity_id: int = 0
    back_index: int = 0


class PageCallback(CallbackData, prefix=PREFIX):
    """`op:page:5:` — the page of /kansen that starts at index 5."""

    action: ListAction
    index: int = 0
    spare: str = ""


class PostAction(StrEnum):
    """The buttons of /kans: a choice for a question, then publish or stop at the preview."""

    PICK = "pick"
    PUBLISH = "publish"
    STOP = "stop"


class PostChoice(StrEnum):
    """The answers /kans offers as buttons (the same text as typing them)."""

    NONE = "-"  # ongoing, no minimum age, everywhere, no deadline
    SPORT = "sport"
    CULTURE = "culture"
    BOTH = "both"
    YES = "yes"
    NO = "no"


class PostCallback(CallbackData, prefix=PREFIX):
    """`op:pick:7:sport` — the answer to question 7 (0-based); `op:publish:0:`, `op:stop:0:`."""

    action: PostAction
    step: int = 0
    choice: PostChoice | None = None


class AttendanceAnswer(StrEnum):
    """ "Did you take part?" the day after an opportunity."""

    YES = "ay"
    NO = "an"


class AttendanceCallback(CallbackData, prefix=PREFIX):
    """`op:ay:34:` — sign-up 34 answered yes."""

    answer: AttendanceAnswer
    signup_id: int = 0
    spare: str = ""


class HoursAction(StrEnum):
    """The buttons while logging the hours done at an opportunity."""

    SKIP_WHAT = "hs"
    SAVE = "hk"
    START_AGAIN = "hr"


class HoursCallback(CallbackData, prefix=PREFIX):
    """`op:hk:0:` — save the hours (the flow's state holds the rest)."""

    action: HoursAction
    spare_number: int = 0
    spare: str = ""
