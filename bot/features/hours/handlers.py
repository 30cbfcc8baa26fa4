"""Supervisors: the invite deep link (`/start s-<token>`) and the digest (/begeleiden).

The digest counts every pending log at the supervisor's organisations and lists them a page at a
time ("More" sends the next page), with one button to confirm them all (signed; it confirms only
logs up to the highest id counted on the first message, or shown on the last page).
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import keys
from bot.features.hours.callbacks import DecisionAction, HoursAction, HoursCb
from bot.features.hours.common import day_text, name_of, signed
from bot.kit import notify, texts
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.hours.amounts import format_hours
from domain.roles import Role
from storage import people
from storage.hours import queries as hours
from storage.hours.models import PracticeHours

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        accept_invite,
        CommandStart(deep_link=True, magic=F.args.startswith(hours.INVITE_PREFIX)),
        F.from_user,
    )
    router.message.register(digest, Command("begeleiden"))
    router.callback_query.register(more, HoursCb.filter(F.action == HoursAction.DIGEST_MORE))
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
    """Everything waiting for the supervisor: the totals first, then the logs a page at a time
    ("More" for the next page), so any number of logs fits in Telegram's messages."""
    if member is None or Role.SUPERVISOR not in member.roles:
        await message.answer(_("This is for supervisors. Type /help to see what you can do."))
        return
    pending = await hours.pending_for_supervisor(db, member.person.id)
    if not pending:
        await message.answer(_("No hours are waiting for you. Thank you!"))
        return
    head = _("<b>Waiting for you ({count}):</b> {hours} hours in total.").format(
        count=len(pending), hours=format_hours(sum(entry.minutes for entry in pending))
    )
    lines = await _page(db, head, pending, CONFIRM_NOTE_ROOM)
    rest = len(pending) - len(lines)
    parts = [head, "\n".join(lines), ""]
    if rest:
        parts.append(
            _("Here are the first {shown}. Tap <b>More</b> for the next ones.").format(
                shown=len(lines)
            )
        )
    parts.append(_confirm_note())
    # "Confirm all" confirms every log counted above (up to the highest id now waiting)
    buttons = [(_("Confirm all"), signed(settings, DecisionAction.CONFIRM_ALL, pending[-1].id))]
    if rest:
        buttons.append((_("More"), _more(pending[len(lines) - 1].id)))
    await message.answer("\n".join(parts), reply_markup=inline_choices(buttons, columns=2))


async def more(
    query: CallbackQuery,
    callback_data: HoursCb,
    db: AsyncSession,
    member: people.Member | None,
    settings: Settings,
) -> None:
    """The digest's next page: the logs waiting after the last one shown."""
    if member is None or Role.SUPERVISOR not in member.roles:
        await query.answer(_("This is for supervisors. Type /help to see what you can do."))
        return
    pending = await hours.pending_for_supervisor(db, member.person.id)
    before = sum(1 for entry in pending if entry.id <= callback_data.value)
    rest = pending[before:]
    if not rest:
        await query.answer(_("Nothing more is waiting for you."))
        return
    await query.answer()
    head = _("<b>Waiting for you, {first} to {last} of {count}:</b>")
    widest = head.format(first=len(pending), last=len(pending), count=len(pending))
    lines = await _page(db, widest, rest, CONFIRM_NOTE_ROOM)
    parts = [
        head.format(first=before + 1, last=before + len(lines), count=len(pending)),
        "\n".join(lines),
    ]
    if len(lines) < len(rest):
        button = (_("More"), _more(rest[len(lines) - 1].id))
    else:  # the last page: everything waiting has been shown, up to its last log
        parts += ["", _confirm_note()]
        button = (_("Confirm all"), signed(settings, DecisionAction.CONFIRM_ALL, rest[-1].id))
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id, "\n".join(parts), reply_markup=inline_choices([button])
    )


PAGE_SIZE = 20
"""Logs on one page of the digest (fewer when they would not fit in one message)."""
CONFIRM_NOTE_ROOM = 400
"""Characters kept free on a page for the notes and the "More" line under the list."""


def _confirm_note() -> str:
    return _(
        "Is everything right? Confirm it all at once. To adjust or reject one, use the "
        "buttons under its own message."
    )


def _more(after: int) -> str:
    return HoursCb(action=HoursAction.DIGEST_MORE, value=after).pack()


async def _page(db: AsyncSession, head: str, entries: list[PracticeHours], room: int) -> list[str]:
    """The lines of the first logs of `entries` that fit in one message under `head` (at most
    PAGE_SIZE, at least one), leaving `room` characters for what follows the list."""
    lines: list[str] = []
    for entry in entries[:PAGE_SIZE]:
        line = _("#{id} {name}, {date}: {hours} h, {what}").format(
            id=entry.id,
            name=await name_of(db, entry.person_id),
            date=day_text(entry.work_date),
            hours=format_hours(entry.minutes),
            what=html.quote((entry.description or "-")[:60]),
        )
        if lines and not texts.fits("\n".join([head, *lines, line]), texts.MESSAGE_LIMIT - room):
            break
        lines.append(line)
    return lines
