"""Texts and buttons of Citytrainers' own activities (callback data: `callbacks`)."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.features.activities.callbacks import (
    DecisionAction,
    DecisionCb,
    HelpersAction,
    HelpersCb,
    ReportAction,
    ReportCb,
)
from bot.kit.keyboards import inline_choices
from storage.activities.models import Activity, ActivityKind, Need

NEEDS: tuple[Need, ...] = tuple(Need)
"""The needs in the order of their buttons."""


def kind_text(kind: str) -> str:
    names: dict[str, str] = {
        ActivityKind.SPORT: _("sport"),
        ActivityKind.CULTURE: _("culture"),
        ActivityKind.SOCIAL: _("social"),
    }
    return names.get(kind, kind)


def need_text(need: str) -> str:
    names: dict[str, str] = {
        Need.SPACE: _("a space"),
        Need.MATERIAL: _("material"),
        Need.MONEY: _("money"),
        Need.HELP: _("helpers"),
        Need.PARTNER: _("a partner organisation"),
    }
    return names.get(need, need)


def needs_text(needs: str | None) -> str:
    chosen = [n for n in (needs or "").split(",") if n]
    return ", ".join(need_text(n) for n in chosen) if chosen else _("nothing")


def proposal_card(activity: Activity, name: str) -> str:
    """The proposal as the coordinator (and the Citytrainer in the preview) sees it."""
    q = html.quote
    lines = [
        (
            _("<b>Proposal #{id}: {title}</b> ({kind})").format(
                id=activity.id, title=q(activity.title), kind=kind_text(activity.kind)
            )
            if activity.id
            else _("<b>Proposal: {title}</b> ({kind})").format(
                title=q(activity.title), kind=kind_text(activity.kind)
            )
        ),
        _("From: {name}").format(name=q(name)),
        _("For whom: {group}").format(group=q(activity.target_group or "-")),
        _("Where: {area}, {place}").format(
            area=q(activity.neighbourhood or "-"), place=q(activity.place or "-")
        ),
        _("When: {when}").format(when=q(activity.when_text or "-")),
        _("Expected participants: {count}").format(count=activity.expected_participants or 0),
        _("Needs: {needs}").format(needs=needs_text(activity.needs)),
        _("Recruiting: {how}").format(how=q(activity.recruitment or "-")),
    ]
    return "\n".join(lines)


def decision_buttons(activity_id: int) -> InlineKeyboardMarkup:
    choices = (
        (_("Approve"), DecisionAction.APPROVE),
        (_("Ask a question"), DecisionAction.ASK),
        (_("Decline"), DecisionAction.DECLINE),
    )
    return inline_choices(
        [
            (label, DecisionCb(action=action, activity_id=activity_id).pack())
            for label, action in choices
        ],
        columns=3,
    )


def answer_button(activity_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [(_("Answer"), DecisionCb(action=DecisionAction.ANSWER, activity_id=activity_id).pack())]
    )


def helpers_button(activity_id: int) -> InlineKeyboardMarkup:
    ask = HelpersCb(action=HelpersAction.ASK, activity_id=activity_id)
    return inline_choices([(_("Ask for helpers"), ask.pack())])


def report_buttons(activity_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (
                _("Yes, it happened"),
                ReportCb(action=ReportAction.HAPPENED, activity_id=activity_id).pack(),
            ),
            (
                _("No, it did not happen"),
                ReportCb(action=ReportAction.NOT_HAPPENED, activity_id=activity_id).pack(),
            ),
        ],
        columns=2,
    )
