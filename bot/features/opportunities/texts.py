"""Texts and buttons of the opportunities feature (callback data: `callbacks`)."""

from __future__ import annotations

import datetime as dt

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.features.opportunities.callbacks import OfferAction, OfferCallback
from bot.kit.keyboards import inline_choices
from domain.hours.amounts import format_hours
from domain.local_time import AMSTERDAM
from domain.opportunities.matching import Track
from storage.opportunities.models import Opportunity

PAGE_SIZE = 5


def when_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return _("ongoing")
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def track_text(track: str) -> str:
    if track == Track.SPORT:
        return _("sport")
    if track == Track.CULTURE:
        return _("culture")
    return _("sport and culture")


def card(opp: Opportunity, *, full: bool = False) -> str:
    """The opportunity as people see it (user text escaped)."""
    lines = [
        _("<b>Opportunity: {title}</b>").format(title=html.quote(opp.title)),
        _("Where: {org}, {place}").format(
            org=html.quote(opp.organisation_name or "-"), place=html.quote(opp.place or "-")
        ),
        _("When: {when}").format(when=when_text(opp.starts_at)),
    ]
    if opp.minutes:
        lines.append(_("Hours: {hours}").format(hours=format_hours(opp.minutes)))
    lines.append(
        _("Places: {free} of {places} free").format(
            free=max(opp.places - opp.places_taken, 0), places=opp.places
        )
    )
    if opp.deadline is not None:
        lines.append(_("Sign up before: {when}").format(when=when_text(opp.deadline)))
    if full or len(opp.description or "") <= 200:
        lines.append("\n" + html.quote(opp.description or ""))
    else:
        lines.append("\n" + html.quote((opp.description or "")[:200]) + "…")
    if full:
        lines.append(_("For: {track}").format(track=track_text(opp.track)))
        if opp.min_age:
            lines.append(_("Minimum age: {age}").format(age=opp.min_age))
        if opp.neighbourhoods:
            lines.append(_("Neighbourhoods: {names}").format(names=html.quote(opp.neighbourhoods)))
    return "\n".join(lines)


def not_for_you() -> str:
    """The answer to a join or a view of an opportunity the person may not join or see."""
    return _("Sorry, this opportunity is not for you. With /kansen you see the ones that are.")


def offer_buttons(opp_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("I'm in"), OfferCallback(action=OfferAction.JOIN, opportunity_id=opp_id).pack()),
            (
                _("More info"),
                OfferCallback(action=OfferAction.INFO, opportunity_id=opp_id).pack(),
            ),
            (
                _("Not for me"),
                OfferCallback(action=OfferAction.NOT_FOR_ME, opportunity_id=opp_id).pack(),
            ),
        ],
        columns=3,
    )


def cancel_button(opp_id: int) -> InlineKeyboardMarkup:
    data = OfferCallback(action=OfferAction.CANCEL, opportunity_id=opp_id).pack()
    return inline_choices([(_("Cancel my sign-up"), data)])
