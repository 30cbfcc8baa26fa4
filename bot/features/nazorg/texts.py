"""Texts of nazorg (the callback data is in `bot.features.nazorg.callbacks`).

The nudge wordings A and B per step are separate catalog entries (locales/nl/.../nazorg.po);
the default wordings carry a matched opportunity with its date (concrete, time-bound asks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.features.nazorg.callbacks import Nudge, NudgeAction
from bot.kit.keyboards import inline_choices
from domain.local_time import AMSTERDAM
from domain.nazorg.engagement import NudgeStep, Wording
from domain.opportunities.matching import Track


@dataclass(frozen=True)
class OpportunityLine:
    title: str
    starts_at: dt.datetime | None
    deadline: dt.datetime | None


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m %H:%M")


def day_text(moment: dt.datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def track_text(track: str | None) -> str:
    if track == Track.SPORT:
        return _("Ik train mijn stad (sport)")
    if track == Track.CULTURE:
        return _("Ik maak mijn stad (culture)")
    return _("sport and culture")


def opportunity_lines(matches: list[OpportunityLine]) -> str:
    lines = []
    for opp in matches:
        if opp.starts_at is not None:
            when = local_text(opp.starts_at)
        elif opp.deadline is not None:
            when = _("sign up before {date}").format(date=local_text(opp.deadline))
        else:
            when = _("ongoing")
        lines.append(f"• <b>{html.quote(opp.title)}</b> ({when})")
    return "\n".join(lines)


def nudge_text(
    step: NudgeStep, wording: Wording, name: str, track: str | None, matches: list[OpportunityLine]
) -> str:
    name = html.quote(name or _("Citytrainer"))
    track_name = track_text(track)
    if matches:
        offer = opportunity_lines(matches)
        first = matches[0]
        first_when = local_text(first.starts_at) if first.starts_at else _("now")
        if step is NudgeStep.FIRST and wording is Wording.A:
            body = _(
                "Hi {name}! We have not seen you for a while at Citytrainers ({track}). "
                "We miss you! These are open now and suit you:\n\n{offer}\n\n"
                "Type /kansen to sign up. What do you want?"
            ).format(name=name, track=track_name, offer=offer)
        elif step is NudgeStep.FIRST:
            body = _(
                "Hi {name}, on {when} there is <b>{title}</b>. A good fit for a Citytrainer "
                "({track}) like you! Also open:\n\n{offer}\n\nType /kansen to sign up. "
                "What do you want?"
            ).format(
                name=name,
                when=first_when,
                title=html.quote(first.title),
                track=track_name,
                offer=offer,
            )
        elif wording is Wording.A:
            body = _(
                "Hi {name}, one more time from Citytrainers. We would love to see you again. "
                "For example here:\n\n{offer}\n\nType /kansen to sign up. What do you want?"
            ).format(name=name, offer=offer)
        else:
            body = _(
                "{name}, they can still use a Citytrainer at <b>{title}</b> ({when}). "
                "Would you help? Also open:\n\n{offer}\n\nWhat do you want?"
            ).format(name=name, title=html.quote(first.title), when=first_when, offer=offer)
    elif step is NudgeStep.FIRST and wording is Wording.A:
        body = _(
            "Hi {name}! We have not seen you for a while at Citytrainers ({track}). "
            "We miss you! Type /kansen to see what is open, or /voorstel to organise "
            "something yourself. What do you want?"
        ).format(name=name, track=track_name)
    elif step is NudgeStep.FIRST:
        body = _(
            "Hi {name}, do you have an idea for an activity in your neighbourhood ({track})? "
            "Type /voorstel and we help you. Or see what is open with /kansen. "
            "What do you want?"
        ).format(name=name, track=track_name)
    elif wording is Wording.A:
        body = _(
            "Hi {name}, one more time from Citytrainers. We would love to see you again. "
            "Type /kansen or /voorstel. What do you want?"
        ).format(name=name)
    else:
        body = _(
            "{name}, you are a Citytrainer: your neighbourhood can use you! "
            "Type /kansen or /voorstel. What do you want?"
        ).format(name=name)
    return body


def nudge_buttons() -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("I want to do something again"), Nudge(action=NudgeAction.AGAIN).pack()),
            (_("Not right now"), Nudge(action=NudgeAction.LATER).pack()),
            (_("I want to stop"), Nudge(action=NudgeAction.STOP).pack()),
        ]
    )


def step_name(step: NudgeStep) -> str:
    return {
        NudgeStep.FIRST: _("nudge 1"),
        NudgeStep.SECOND: _("nudge 2"),
        NudgeStep.FOLLOW_UP: _("on the follow-up list"),
    }.get(step, step)
