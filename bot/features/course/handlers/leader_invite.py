"""The course-leader invite deep link (`/start l-<token>`): whoever opens it becomes course leader
(cursusleider) of one group, in that group's programme, and of nothing else.

A coordinator makes the link under a group (`leaders.invite`). It works once and for
`course.LEADER_INVITE_TTL`. An unknown, expired or used link changes nothing. Someone who holds
a role in another programme is refused and the link stays usable: moving a person between
programmes is an administrator's decision (`people.join_programme`), never a link's.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.common import person_name
from bot.features.course.keys import leader_invite_used_key
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.feature import Registry
from domain.roles import Role
from storage import people
from storage.course import queries as course

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        accept_invite,
        CommandStart(deep_link=True, magic=F.args.startswith(course.LEADER_INVITE_PREFIX)),
        F.from_user,
    )
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
    token = (command.args or "").removeprefix(course.LEADER_INVITE_PREFIX)
    found = await course.usable_leader_invite(db, token, now)
    if found is not None and not await people.may_join(db, member.person, found.programme_id):
        log.info("course leader invite %s refused: a role in another programme", found.id)
        await message.answer(
            _(
                "You already have a role at Citytrainers in another municipality, so this link "
                "cannot make you a course leader here. Ask the coordinator who sent it to help "
                "you."
            )
        )
        return
    invite = await course.redeem_leader_invite(db, token, member.person.id, now)
    cohort = await course.get_cohort(db, invite.cohort_id) if invite else None
    if invite is None or cohort is None:
        log.info("course leader invite refused for person %s", member.person.id)
        await message.answer(
            _(
                "This link for course leaders does not work (any more). It may have expired or "
                "been used already. Ask the coordinator for a new link."
            )
        )
        return
    await people.join_programme(db, member.person, invite.programme_id)
    await people.grant_role(
        db,
        member.person.id,
        invite.programme_id,
        Role.COURSE_LEADER,
        now,
        granted_by=invite.created_by,
    )
    await course.add_leader(db, cohort.id, member.person.id, now)
    roles = member.with_role(invite.programme_id, Role.COURSE_LEADER).roles
    group = html.quote(cohort.name)
    await message.answer(
        _(
            "Welcome! You are now course leader of group <b>{group}</b>.\n\n"
            "/planning: the sessions of your group; move or cancel one (the participants "
            "are told).\n"
            "/aanwezigheid: register who was there.\n\n"
            "When a session begins, the attendance list comes here by itself. Type /help to "
            "see everything you can do."
        ).format(group=group),
        reply_markup=registry.main_menu(roles),
    )
    await notify.to_coordinators(
        db,
        invite.programme_id,
        notify.message_payload(
            _(
                "{name} is now course leader of group <b>{group}</b> (through the invite link)."
            ).format(name=html.quote(person_name(member.person)), group=group)
        ),
        key=leader_invite_used_key(invite.id),
        now=now,
    )
    await registry.publish_commands_for_chat(bot, i18n, message.chat.id, roles)
