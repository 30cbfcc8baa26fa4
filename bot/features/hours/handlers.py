"""Supervisors: the invite deep link (`/start s-<token>`) and the digest (/begeleiden).

The digest lists every pending log at the supervisor's organisations with one button to
confirm them all (signed; it confirms only logs up to the highest id shown).
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import keys
from bot.features.hours.callbacks import DecisionAction
from bot.features.hours.common import day_text, name_of, signed
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.hours.amounts import format_hours
from domain.roles import Role
from storage import people
from storage.hours import queries as hours

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        accept_invite,
        CommandStart(deep_link=True, magic=F.args.startswith(hours.INVITE_PREFIX)),
        F.from_user,
    )
    router.message.register(digest, Command("begeleiden"))
    return router


async def accept_invite(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
    clock: Clock,
    bot: Bot,
    i18n: I18n,
    registry: Registry,
) -> None:
    user = message.from_user
    assert user is not None
    await state.clear()
    now = clock.now()
    member = member or await people.ensure_telegram_member(
        db,
        user_id=user.id,
        chat_id=message.chat.id,
        first_name=user.first_name,
        display_name=user.full_name,
        now=now,
    )
    token = (command.args or "").removeprefix(hours.INVITE_PREFIX)
    usable = await hours.usable_invite(db, token, now)
    if usable is not None and not await people.may_join(db, member.person, usable.programme_id):
        # a role in another programme: a link cannot move them (the invite stays usable)
        log.info("supervisor invite of another programme refused for person %s", member.person.id)
        await message.answer(
            _(
                "You already have a role at Citytrainers in another municipality, so this link "
                "cannot make you a supervisor here. Ask the coordinator who sent it to help you."
            )
        )
        return
    invite = await hours.redeem_invite(db, token, member.person.id, now)
    if invite is None:
        log.info("supervisor invite refused for person %s", member.person.id)
        await message.answer(
            _(
                "This link does not work (any more). It may have expired or been used already. "
                "Ask the coordinator for a new link."
            )
        )
        return
    org = await hours.get_organisation(db, invite.organisation_id)
    assert org is not None
    await people.join_programme(db, member.person, invite.programme_id)
    await people.grant_role(
        db,
        member.person.id,
        invite.programme_id,
        Role.SUPERVISOR,
        now,
        organisation_id=org.id,
        granted_by=invite.created_by,
    )
    roles = member.roles | {Role.SUPERVISOR}
    await message.answer(
        _(
            "Welcome! You are now a supervisor (praktijkbegeleider) at {place}.\n\n"
            "When a trainee logs practice hours, you get a message here. Confirm with one tap, "
            "or reply with the right number of hours. Type /begeleiden to see what is waiting."
        ).format(place=html.quote(org.name)),
        reply_markup=registry.main_menu(roles),
    )
    await notify.to_coordinators(
        db,
        invite.programme_id,
        notify.message_payload(
            _("{name} is now a supervisor at {place}.").format(
                name=html.quote(member.person.first_name or user.first_name),
                place=html.quote(org.name),
            )
        ),
        key=keys.invite_used(invite.id),
        now=now,
    )
    await registry.publish_commands_for_chat(bot, i18n, message.chat.id, roles)


async def digest(
    message: Message, db: AsyncSession, member: people.Member | None, settings: Settings
) -> None:
    if member is None or Role.SUPERVISOR not in member.roles:
        await message.answer(_("This is for supervisors. Type /help to see what you can do."))
        return
    pending = await hours.pending_for_supervisor(db, member.person.id)
    if not pending:
        await message.answer(_("No hours are waiting for you. Thank you!"))
        return
    lines = [
        _("#{id} {name}, {date}: {hours} h, {what}").format(
            id=entry.id,
            name=await name_of(db, entry.person_id),
            date=day_text(entry.work_date),
            hours=format_hours(entry.minutes),
            what=html.quote((entry.description or "-")[:60]),
        )
        for entry in pending
    ]
    last = max(entry.id for entry in pending)
    await message.answer(
        _(
            "<b>Waiting for you ({count}):</b>\n{lines}\n\n"
            "Is everything right? Confirm it all at once. To adjust or reject one, use the "
            "buttons under its own message."
        ).format(count=len(pending), lines="\n".join(lines)),
        reply_markup=inline_choices(
            [(_("Confirm all"), signed(settings, DecisionAction.CONFIRM_ALL, last))]
        ),
    )
