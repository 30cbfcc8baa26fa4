"""Callback data of nazorg's buttons (prefixes `nz`, `nzf`, `nzd`; /instellingen uses `st`).

aiogram packs only the values, in field order: `Nudge(action=NudgeAction.PAUSE, months=3)` is
"nz:pause:3", exactly as before the fields had full names, so buttons already sent keep working.
A payload that no longer parses (an unknown action, a wrong number of parts) does not match any
filter and reaches the fallback router ("This button no longer works").
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from domain.nazorg.settings import DigestItem

__all__ = [
    "DigestAction",
    "DigestItem",
    "FollowUpAction",
    "FollowUpChoice",
    "Nudge",
    "NudgeAction",
    "SettingKind",
    "SettingsAction",
]


class NudgeAction(StrEnum):
    """The buttons under a nudge and the questions that follow them."""

    AGAIN = "again"
    """The "Ik wil weer iets doen" button."""
    LATER = "later"
    """The "Nu even niet" button: asks how long."""
    PAUSE = "pause"
    """The chosen pause (`Nudge.months`)."""
    STOP = "stop"
    """The "Ik wil stoppen" button: asks to confirm."""
    STOP_CONFIRMED = "stopok"
    STOP_CANCELLED = "stopno"


class Nudge(CallbackData, prefix="nz"):
    action: NudgeAction
    months: int = 0
    """Only for `NudgeAction.PAUSE`: one of `domain.nazorg.settings.PAUSE_MONTHS`."""


class FollowUpChoice(StrEnum):
    """The buttons of /opvolgen."""

    DONE = "done"
    """Mark the person of `FollowUpAction.nudge_id` as approached (then a note is asked)."""
    SKIP = "skip"
    """Save the contact without a note."""


class FollowUpAction(CallbackData, prefix="nzf"):
    action: FollowUpChoice
    nudge_id: int = 0
    """The follow-up list entry (a `NazorgNudge` of step follow_up); 0 for `SKIP`."""


class DigestAction(CallbackData, prefix="nzd"):
    """A button of the weekly digest: show the details of one item."""

    item: DigestItem


class SettingKind(StrEnum):
    """What a /instellingen button switches."""

    OPPORTUNITY_MESSAGES = "opp"
    NUDGES = "nudge"


class SettingsAction(CallbackData, prefix="st"):
    setting: SettingKind
    on: bool
    """The new value."""
