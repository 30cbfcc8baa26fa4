"""/cijfers: the programme's figures for a period (coordinators only), rules in the footer.

Computed by `domain.impact.impact_figures` from approved and confirmed data only
(`storage.impact`, up to the clock's now); the periods are this year, last year and everything
(up to today), in Amsterdam dates.
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.impact.callbacks import FiguresAction, FiguresCb, FiguresPeriod
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.hours.amounts import format_hours
from domain.impact.figures import ImpactFigures, ImpactRules, Period
from domain.local_time import AMSTERDAM
from domain.roles import Role
from storage import people
from storage.impact import queries as impact

PERIODS: tuple[FiguresPeriod, ...] = tuple(FiguresPeriod)
"""The periods in the order of their buttons."""
EVERYTHING_FROM = dt.date(2000, 1, 1)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(command, Command("cijfers"))
    router.callback_query.register(pick, FiguresCb.filter(F.action == FiguresAction.PERIOD))
    return router


def period_of(name: FiguresPeriod, today: dt.date) -> Period:
    if name == FiguresPeriod.LAST_YEAR:
        return Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    if name == FiguresPeriod.EVERYTHING:
        return Period(EVERYTHING_FROM, today)
    return Period(dt.date(today.year, 1, 1), today)


def _percent(figures: ImpactFigures, count: int) -> str:
    share = figures.share(count)
    return "-" if share is None else f"{round(share * 100)}%"


def render(figures: ImpactFigures, period: Period, rules: ImpactRules) -> str:
    average = figures.occasional_average_minutes
    lines = [
        _("<b>Figures {start} to {end}</b>").format(
            start=period.start.strftime("%d-%m-%Y"), end=period.end.strftime("%d-%m-%Y")
        ),
        _("Citytrainers trained: {n}").format(n=figures.trained),
        _("Practice hours in the training: {h}").format(
            h=format_hours(figures.practice_minutes_in_training)
        ),
        _(
            "Still active (now and then): {share} ({n}), on average {avg} h a year each: {h} h"
        ).format(
            share=_percent(figures, figures.occasionally_active),
            n=figures.occasionally_active,
            avg=format_hours(average) if average is not None else "-",
            h=format_hours(figures.occasional_minutes_per_year),
        ),
        _("Structurally active: {share} ({n}): {h} h a year").format(
            share=_percent(figures, figures.structurally_active),
            n=figures.structurally_active,
            h=format_hours(figures.structural_minutes_per_year),
        ),
        _("Total effort: {h} h a year").format(
            h=format_hours(figures.total_effort_minutes_per_year)
        ),
        _("Participations in activities: {n}").format(n=figures.participations),
        _("Activities organised: {n}").format(n=figures.activities_organised),
        "",
        _(
            "<i>How we count: trained = certified in the period. Active = effort or an "
            "activity in the {months} months up to the end date; shares are of the {base} "
            "trained up to then. Structurally active = at least {hours} h in those months "
            "(2 h a week for 40 weeks). Activities = reported as happened.</i>"
        ).format(
            months=rules.active_window_months,
            base=figures.trained_to_date,
            hours=format_hours(rules.structural_minutes_per_year),
        ),
    ]
    return "\n".join(lines)


def _buttons() -> InlineKeyboardMarkup:
    labels = (_("This year"), _("Last year"), _("Everything"))
    return inline_choices(
        [
            (label, FiguresCb(action=FiguresAction.PERIOD, period=period).pack())
            for label, period in zip(labels, PERIODS, strict=True)
        ],
        columns=3,
    )


async def _text(
    db: AsyncSession, member: people.Member, name: FiguresPeriod, now: dt.datetime
) -> str:
    rules = ImpactRules()
    period = period_of(name, now.astimezone(AMSTERDAM).date())
    figures = await impact.figures(db, member.programme_id, period, rules, now=now)
    return render(figures, period, rules)


async def command(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None or Role.COORDINATOR not in member.roles:
        await message.answer(_("Only coordinators can see the figures."))
        return
    await message.answer(
        await _text(db, member, FiguresPeriod.THIS_YEAR, clock.now()), reply_markup=_buttons()
    )


async def pick(
    query: CallbackQuery,
    callback_data: FiguresCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    if member is None or Role.COORDINATOR not in member.roles:
        await query.answer(_("Only coordinators can see the figures."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    text = await _text(db, member, callback_data.period, clock.now())
    try:
        await query.message.edit_text(text, reply_markup=_buttons())
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise
