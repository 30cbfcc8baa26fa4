"""Answers to an opportunity: "Ik doe mee", "Meer info", "Niet voor mij", cancel; /kansen.

Taking a place is one transaction (storage.opportunities.join); confirmations go to the person
directly, notifications to the organisation's supervisors and the coordinator through the outbox.
Every tap is checked again in storage (a button's data may be forged): a join the person may not
make (another programme, role, track, age, area) is refused there, and "Meer info" or a /kansen
item of an opportunity the person may not see shows nothing of it (`opportunities.viewable`).
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.opportunities import keys
from bot.features.opportunities.callbacks import (
    ListAction,
    OfferAction,
    OfferCallback,
    OpenCallback,
    PageCallback,
)
from bot.features.opportunities.texts import (
    PAGE_SIZE,
    cancel_button,
    card,
    not_for_you,
    offer_buttons,
    when_text,
)
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.opportunities.status import JoinOutcome, SignupStatus
from storage import people
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity

MENU_OPPORTUNITIES = __("Opportunities")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_command, Command("kansen"))
    router.message.register(list_command, F.text == MENU_OPPORTUNITIES)
    offer = OfferCallback.filter
    router.callback_query.register(join, offer(F.action == OfferAction.JOIN))
    router.callback_query.register(info, offer(F.action == OfferAction.INFO))
    router.callback_query.register(not_for_me, offer(F.action == OfferAction.NOT_FOR_ME))
    router.callback_query.register(cancel, offer(F.action == OfferAction.CANCEL))
    router.callback_query.register(page, PageCallback.filter(F.action == ListAction.PAGE))
    router.callback_query.register(open_one, OpenCallback.filter(F.action == ListAction.OPEN))
    return router


async def _tell_organisation(
    db: AsyncSession, opp: Opportunity, text: str, key: str, now: dt.datetime
) -> None:
    """The organisation's supervisors and the coordinator who posted it (or all coordinators)."""
    payload = notify.message_payload(text)
    for chat in await opportunities.supervisor_chats(db, opp.organisation_id):
        await notify.enqueue(
            db,
            chat_id=chat,
            payload=payload,
            key=keys.to_supervisor(key, chat),
            now=now,
            programme_id=opp.programme_id,
        )
    if opp.created_by is not None:
        await notify.to_person(db, opp.created_by, payload, key=keys.to_coordinator(key), now=now)
    else:
        await notify.to_coordinators(
            db, opp.programme_id, payload, key=keys.to_coordinator(key), now=now
        )


def _name(member: people.Member) -> str:
    return html.quote(member.person.first_name or member.identity.display_name or "?")


async def join(
    query: CallbackQuery,
    callback_data: OfferCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    if member is None:
        await query.answer(_("Type /start first, then try again."), show_alert=True)
        return
    now = clock.now()
    result = await opportunities.join(db, callback_data.opportunity_id, member.person.id, now)
    if result.status == JoinOutcome.REFUSED:
        await query.answer(not_for_you(), show_alert=True)
        return
    opp = await opportunities.get(db, callback_data.opportunity_id)
    if result.status == JoinOutcome.CLOSED or opp is None:
        await query.answer(_("Sign-up for this opportunity is closed."), show_alert=True)
        return
    await query.answer(_("Done!"))
    # Many people answer a broadcast at once: the confirmation goes through the outbox, which
    # keeps within Telegram's limits (a direct answer could get a 429 under that load).
    key = keys.joined_key(opp.id, member.person.id, now)
    if result.status == JoinOutcome.PLACED:
        text = _("You're in for <b>{title}</b> on {when}! We have told the organisation.").format(
            title=html.quote(opp.title), when=when_text(opp.starts_at)
        )
        if result.already:
            text = _("You already have a place for <b>{title}</b>.").format(
                title=html.quote(opp.title)
            )
    else:
        text = _(
            "<b>{title}</b> is full. You are number {position} on the waiting list: "
            "when a place comes free, it is yours and we will tell you."
        ).format(title=html.quote(opp.title), position=result.position)
    await notify.to_person(
        db,
        member.person.id,
        notify.message_payload(text, cancel_button(opp.id)),
        key=keys.to_me(key, result.status),
        now=now,
    )
    if result.status == JoinOutcome.PLACED and not result.already:
        await _tell_organisation(
            db,
            opp,
            _("{name} signed up for {title} ({taken} of {places} places taken).").format(
                name=_name(member),
                title=html.quote(opp.title),
                taken=opp.places_taken,
                places=opp.places,
            ),
            key,
            now,
        )


async def _viewable(
    query: CallbackQuery,
    opportunity_id: int,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> Opportunity | None:
    """The opportunity when the person may see it; otherwise they are told kindly, and see
    nothing of it."""
    if member is None:
        await query.answer(_("Type /start first, then try again."), show_alert=True)
        return None
    opp = await opportunities.viewable(db, opportunity_id, member.person.id, clock.now())
    if opp is None:
        await query.answer(not_for_you(), show_alert=True)
        return None
    await query.answer()
    return opp


async def info(
    query: CallbackQuery,
    callback_data: OfferCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    opp = await _viewable(query, callback_data.opportunity_id, db, clock, member)
    if opp is None:
        return
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id, card(opp, full=True), reply_markup=offer_buttons(opp.id)
    )


async def not_for_me(query: CallbackQuery) -> None:
    await query.answer(_("OK, thanks for letting us know."))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def cancel(
    query: CallbackQuery,
    callback_data: OfferCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    if member is None:
        await query.answer()
        return
    now = clock.now()
    result = await opportunities.cancel(db, callback_data.opportunity_id, member.person.id, now)
    opp = await opportunities.get(db, callback_data.opportunity_id)
    if opp is None or not result.cancelled:
        text = (
            _("It is too late to cancel. Please tell the organisation yourself.")
            if result.too_late
            else _("You have no sign-up to cancel for this opportunity.")
        )
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _("Your sign-up for <b>{title}</b> is cancelled.").format(title=html.quote(opp.title)),
    )
    if result.was != SignupStatus.PLACED:
        return
    key = keys.cancelled_key(opp.id, member.person.id, now)
    text = _("{name} cancelled for {title}.").format(
        name=_name(member), title=html.quote(opp.title)
    )
    if result.moved_up is not None:
        await notify.to_person(
            db,
            result.moved_up,
            notify.message_payload(
                _(
                    "Good news: a place came free for <b>{title}</b> on {when}. You're in! "
                    "Can't make it after all? Tap the button."
                ).format(title=html.quote(opp.title), when=when_text(opp.starts_at)),
                cancel_button(opp.id),
            ),
            key=keys.moved_up(key),
            now=now,
        )
        text += " " + _("The first person on the waiting list got the place.")
    await _tell_organisation(db, opp, text, key, now)


def _page(index: int) -> str:
    return PageCallback(action=ListAction.PAGE, index=index).pack()


def _list_markup(items: list[Opportunity], index: int) -> InlineKeyboardMarkup:
    shown = items[index : index + PAGE_SIZE]
    buttons = [
        (
            f"{o.title[:40]} ({when_text(o.starts_at)})",
            OpenCallback(action=ListAction.OPEN, opportunity_id=o.id, back_index=index).pack(),
        )
        for o in shown
    ]
    nav = []
    if index > 0:
        nav.append((_("« Previous"), _page(max(index - PAGE_SIZE, 0))))
    if index + PAGE_SIZE < len(items):
        nav.append((_("Next »"), _page(index + PAGE_SIZE)))
    markup = inline_choices(buttons)
    if nav:
        markup.inline_keyboard.append(inline_choices(nav, columns=2).inline_keyboard[0])
    return markup


def _list_text(items: list[Opportunity], index: int) -> str:
    if not items:
        return _("There are no open opportunities for you right now. We will send you new ones.")
    last = min(index + PAGE_SIZE, len(items))
    return _("Open opportunities ({first}-{last} of {total}). Tap one to see it.").format(
        first=index + 1, last=last, total=len(items)
    )


async def _items(db: AsyncSession, member: people.Member, now: dt.datetime) -> list[Opportunity]:
    return await opportunities.open_for_person(db, member.person, now)


async def list_command(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> None:
    if member is None:
        await message.answer(_("Type /start first, then try again."))
        return
    items = await _items(db, member, clock.now())
    await message.answer(
        _list_text(items, 0), reply_markup=_list_markup(items, 0) if items else None
    )


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:  # "message is not modified" is fine
            if "not modified" not in exc.message:
                raise


async def page(
    query: CallbackQuery,
    callback_data: PageCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    if member is None:
        return
    items = await _items(db, member, clock.now())
    index = min(callback_data.index, max(len(items) - 1, 0))
    index -= index % PAGE_SIZE
    await _edit(query, _list_text(items, index), _list_markup(items, index) if items else None)


async def open_one(
    query: CallbackQuery,
    callback_data: OpenCallback,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    opp = await _viewable(query, callback_data.opportunity_id, db, clock, member)
    if opp is None:
        return
    markup = offer_buttons(opp.id)
    back = inline_choices([(_("« Back to the list"), _page(callback_data.back_index))])
    markup.inline_keyboard.append(back.inline_keyboard[0])
    await _edit(query, card(opp, full=True), markup)
