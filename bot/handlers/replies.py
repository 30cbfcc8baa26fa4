"""Replies to the bot's own messages: the reply is routed by what that message was about.

Outbox rows carry a `ref` ("question:12"); when someone replies to the message we sent for
that row, the handler for the ref's kind takes the reply. Feature modules add kinds here.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot import notify
from bot.clock import Clock
from domain.roles import Role
from storage import people, questions


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_reply, F.reply_to_message.from_user.is_bot, F.text)
    return router


async def on_reply(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member | None
) -> bool | None:
    assert message.reply_to_message is not None
    ref = await questions.ref_of_sent_message(
        db, str(message.chat.id), message.reply_to_message.message_id
    )
    if ref is None or member is None:
        return await _not_routable(message)
    kind, _sep, ident = ref.partition(":")
    if kind == "question" and ident.isdigit() and Role.COORDINATOR in member.roles:
        return await _answer_question(message, db, clock, member, int(ident))
    return await _not_routable(message)


async def _not_routable(message: Message) -> None:
    await message.answer(
        _("I cannot link this reply to anything. Type /help to see what you can do.")
    )


async def _answer_question(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member, question_id: int
) -> None:
    question = await questions.get_question(db, question_id)
    if question is None or question.person_id is None:
        await message.answer(_("This question no longer exists (the person deleted their data)."))
        return
    now = clock.now()
    answer = (message.text or "").strip()
    question.answered_at = now
    question.answered_by = member.person.id
    delivered = await notify.to_person(
        db,
        question.person_id,
        notify.message_payload(
            _("The coordinator answered your question:\n\n<i>{question}</i>\n\n{answer}").format(
                question=html.quote(question.text or ""), answer=html.quote(answer)
            )
        ),
        key=f"question:{question.id}:answer:{message.message_id}",
        now=now,
    )
    if delivered:
        await message.answer(
            _("Your answer to question #{id} is on its way.").format(id=question.id)
        )
    else:
        await message.answer(
            _(
                "The person who asked question #{id} cannot be reached (they blocked the bot)."
            ).format(id=question.id)
        )
