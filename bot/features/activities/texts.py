"""Texts, buttons and callback data of Citytrainers' own activities (prefix `pr`)."""

from __future__ import annotations

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.kit.keyboards import inline_choices
from storage.activities.models import Activity

NEEDS = ("space", "material", "money", "help", "partner")


class Pr(CallbackData, prefix="pr"):
    """a: pick, need, needs_done, back, submit, stop (the /voorstel flow); ok, ask, no
    (coordinator decisions); answer (the Citytrainer answers); helpers, hn (ask for helpers);
    ag (agenda page); fig (figures period); ry, rn (report: it happened or not), skip."""

    a: str
    i: int = 0
    v: str = ""


def kind_text(kind: str) -> str:
    return {"sport": _("sport"), "culture": _("culture"), "social": _("social")}.get(kind, kind)


def need_text(need: str) -> str:
    return {
        "space": _("a space"),
        "material": _("material"),
        "money": _("money"),
        "help": _("helpers"),
        "partner": _("a partner organisation"),
    }.get(need, need)


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
    return inline_choices(
        [
            (_("Approve"), Pr(a="ok", i=activity_id).pack()),
            (_("Ask a question"), Pr(a="ask", i=activity_id).pack()),
            (_("Decline"), Pr(a="no", i=activity_id).pack()),
        ],
        columns=3,
    )


def answer_button(activity_id: int) -> InlineKeyboardMarkup:
    return inline_choices([(_("Answer"), Pr(a="answer", i=activity_id).pack())])


def helpers_button(activity_id: int) -> InlineKeyboardMarkup:
    return inline_choices([(_("Ask for helpers"), Pr(a="helpers", i=activity_id).pack())])


def report_buttons(activity_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("Yes, it happened"), Pr(a="ry", i=activity_id).pack()),
            (_("No, it did not happen"), Pr(a="rn", i=activity_id).pack()),
        ],
        columns=2,
    )
