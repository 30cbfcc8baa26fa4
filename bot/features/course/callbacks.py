"""Callback data of the course feature's inline buttons.

Buttons stay on people's phones for weeks, so the prefixes, the number and order of the fields
and the packed values (the enum values below) never change; only the Python names may. Data
that no longer parses (an unknown action, too few or too many parts) matches no filter and ends
at the fallback router ("This button no longer works"). Packed data stays within Telegram's
64 bytes (at most about 40 with the largest ids and times).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class PlanAction(StrEnum):
    """What a planning button does (/planning, /nieuwegroep, /rooster)."""

    ICS = "ics"  # /rooster: a calendar file of one session (`ident`) or all (0)
    TRACK = "track"  # /nieuwegroep: the track, `ident` an index in group_create.TRACKS
    LEADER = "lead"  # /nieuwegroep: the course leader (`ident` a person id, 0: later)
    CREATE = "make"  # /nieuwegroep: create the group
    RESTART = "redo"  # /nieuwegroep: start again
    GROUP = "grp"  # /planning: the sessions of group `ident`
    SESSION = "ses"  # /planning: session `ident` ("Move" / "Cancel session")
    MOVE = "mv"  # ask for the new day and time of session `ident`
    CONFIRM_MOVE = "mvok"  # move session `ident` to `new_start`
    CANCEL = "cx"  # ask to confirm cancelling session `ident`
    CONFIRM_CANCEL = "cxok"  # cancel session `ident`


class PlanCb(CallbackData, prefix="cs"):
    """Course planning: `action` on a cohort, session or person `ident`."""

    action: PlanAction
    ident: int = 0
    new_start: int = 0  # Unix seconds: the new start when moving


class LeaderAction(StrEnum):
    """What a button about a group's course leaders does (coordinators, from /planning)."""

    SHOW = "show"  # the leaders of `cohort`, with what can be done
    PICK = "pick"  # the people who can be chosen as leader of `cohort`
    SET = "set"  # `person` (one that was offered) leads `cohort`
    REMOVE = "rm"  # `person` no longer leads `cohort`
    INVITE = "inv"  # an invite link for a new course leader of `cohort`


class LeaderCb(CallbackData, prefix="cl"):
    """A group's course leaders: `action` on `cohort` (and `person`)."""

    action: LeaderAction
    cohort: int
    person: int = 0


class AttendanceAction(StrEnum):
    """What a button of the attendance checklist does."""

    OPEN = "open"  # show the checklist of `session`
    TOGGLE = "t"  # next status of `person`
    SAVE = "save"  # save the list


class AttendanceCb(CallbackData, prefix="at"):
    action: AttendanceAction
    session: int
    person: int = 0


class ReminderAction(StrEnum):
    """The answer buttons under a session reminder."""

    COMING = "yes"
    CANNOT = "no"
    SKIP_REASON = "skip"


class ReminderCb(CallbackData, prefix="rm"):
    action: ReminderAction
    session: int


class CertificateAction(StrEnum):
    APPROVE = "ok"


class CertificateCb(CallbackData, prefix="ce"):
    action: CertificateAction
    certificate: int
