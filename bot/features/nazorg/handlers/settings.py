"""/instellingen: switch opportunity messages and nudges ("we miss you" reminders) on and off.

Opportunity messages are stored by the opportunities feature
(`storage.opportunities.set_opportunity_messages`); nudges in nazorg's own preference. Switching
nudges on again also ends "Ik wil stoppen" and a pause.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.nazorg.callbacks import SettingKind, SettingsAction
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from storage import people
from storage.nazorg import queries as nazorg
from storage.opportunities import queries as opportunities

MENU_SETTINGS = __("Settings")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("instellingen"))
    router.message.register(show, F.text == MENU_SETTINGS)
    router.callback_query.register(toggle, SettingsAction.filter())
    return router


async def _state(db: AsyncSession, person_id: int) -> tuple[bool | None, bool]:
    opp = await opportunities.opportunity_messages_on(db, person_id)
    return opp, await nazorg.nudges_on(db, person_id)


def _render(opp: bool | None, nudges: bool) -> tuple[str, InlineKeyboardMarkup]:
    on, off = _("on"), _("off")
    lines = [_("<b>Your settings</b>"), ""]
    buttons = []
    if opp is not None:
        lines.append(_("Messages about opportunities: {value}").format(value=on if opp else off))
        buttons.append(
            (
                _("Opportunity messages off") if opp else _("Opportunity messages on"),
                SettingsAction(setting=SettingKind.OPPORTUNITY_MESSAGES, on=not opp).pack(),
            )
        )
    lines.append(
        _("Reminders when you have not been active for a while: {value}").format(
            value=on if nudges else off
        )
    )
    buttons.append(
        (
            _("Reminders off") if nudges else _("Reminders on"),
            SettingsAction(setting=SettingKind.NUDGES, on=not nudges).pack(),
        )
    )
    lines += ["", _("Tap a button to change it.")]
    return "\n".join(lines), inline_choices(buttons)


async def show(message: Message, db: AsyncSession, member: people.Member | None) -> None:
    if member is None:
        await message.answer(_("Type /start first, then /instellingen."))
        return
    text, markup = _render(*await _state(db, member.person.id))
    await message.answer(text, reply_markup=markup)


async def toggle(
    query: CallbackQuery,
    callback_data: SettingsAction,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    if member is None:
        await query.answer(_("Type /start first, then /instellingen."), show_alert=True)
        return
    now = clock.now()
    if callback_data.setting is SettingKind.OPPORTUNITY_MESSAGES:
        await opportunities.set_opportunity_messages(db, member.person.id, callback_data.on)
    else:
        pref = await nazorg.preference(db, member.person.id, now)
        pref.nudges_off = not callback_data.on
        if callback_data.on:
            pref.stopped_at, pref.paused_until = None, None
        pref.updated_at = now
    await db.flush()
    text, markup = _render(*await _state(db, member.person.id))
    await query.answer(_("Saved."))
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)
