"""A person replies to the coordinator's question about their signup: pass it on."""

from __future__ import annotations

from aiogram import html
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys
from bot.features.signup.notices import decision_keyboard
from bot.kit import notify
from bot.kit.clock import Clock
from storage import people
from storage.signup import queries as signups


async def answer_to_coordinator(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member, ident: str
) -> None:
    signup_id = keys.signup_id_of(ident)
    signup = await signups.get_signup(db, signup_id) if signup_id is not None else None
    if signup is None or signup.person_id != member.person.id:
        await message.answer(
            _("I cannot link this reply to anything. Type /help to see what you can do.")
        )
        return
    text = _("Answer about signup #{id} from {name}:\n\n{answer}").format(
        id=signup.id,
        name=html.quote(member.person.first_name or "?"),
        answer=html.quote((message.text or "").strip()[:1500]),
    )
    await notify.to_coordinators(
        db,
        signup.programme_id,
        notify.message_payload(text, decision_keyboard(signup.id)),
        key=keys.reply(signup.id, message.message_id),
        now=clock.now(),
    )
    await message.answer(_("Thank you, your answer has been passed on to the coordinator."))
