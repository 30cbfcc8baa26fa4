"""The thread about a proposal: a coordinator's question, the Citytrainer's answer.

A question goes to the Citytrainer through the outbox (ref `proposal:<id>`, with an "Antwoorden"
button); an answer goes to the coordinators with the decision buttons again. Both are stored
(`ProposalMessage`) and carry the proposal's number (#id), so the thread stays together. A reply
to any message about a proposal lands in `by_reply` (registered for the ref kind `proposal` in
the feature's declaration).
"""

from __future__ import annotations

from aiogram import html
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.activities.keys import answer_key, proposal_id, proposal_ref, question_key
from bot.features.activities.texts import answer_button, decision_buttons
from bot.kit import notify
from bot.kit.clock import Clock
from domain.roles import Role
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity, ActivityStatus, ThreadSide
from storage.models import Person

MIN_LENGTH, MAX_LENGTH = 3, 1000


async def person_name(db: AsyncSession, activity: Activity) -> str:
    person = await db.get(Person, activity.person_id) if activity.person_id else None
    return html.quote((person.first_name if person else None) or "?")


async def send_question(
    message: Message,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
    activity: Activity,
    text: str,
) -> None:
    if activity.status != ActivityStatus.SUBMITTED or activity.person_id is None:
        await message.answer(_("Proposal #{id} was already decided.").format(id=activity.id))
        return
    now = clock.now()
    note = await activities.add_message(
        db, activity.id, member.person.id, ThreadSide.COORDINATOR, text, now
    )
    reached = await notify.to_person(
        db,
        activity.person_id,
        notify.message_payload(
            _(
                "Question from the coordinator about your proposal #{id} <b>{title}</b>:\n\n"
                "{question}\n\nReply to this message, or tap <b>Answer</b>."
            ).format(id=activity.id, title=html.quote(activity.title), question=html.quote(text)),
            answer_button(activity.id),
        ),
        key=question_key(activity.id, note.id),
        now=now,
        ref=proposal_ref(activity.id),
        report_to=member.person.id,
    )
    if reached:
        await message.answer(
            _("Your question about proposal #{id} is on its way.").format(id=activity.id)
        )
    else:
        await message.answer(_("The Citytrainer cannot be reached right now (blocked the bot)."))


async def send_answer(
    message: Message,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
    activity: Activity,
    text: str,
) -> None:
    now = clock.now()
    note = await activities.add_message(
        db, activity.id, member.person.id, ThreadSide.CITYTRAINER, text, now
    )
    submitted = activity.status == ActivityStatus.SUBMITTED
    markup = decision_buttons(activity.id) if submitted else None
    await notify.to_coordinators(
        db,
        activity.programme_id,
        notify.message_payload(
            _(
                "Answer from {name} about proposal #{id} <b>{title}</b>:\n\n{answer}\n\n"
                "Reply to ask again, or decide with the buttons."
            ).format(
                name=await person_name(db, activity),
                id=activity.id,
                title=html.quote(activity.title),
                answer=html.quote(text),
            ),
            markup,
        ),
        key=answer_key(activity.id, note.id),
        now=now,
        ref=proposal_ref(activity.id),
    )
    await message.answer(_("Thanks! Your answer went to the coordinator."))


async def by_reply(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member, ident: str
) -> None:
    """A reply to a message about a proposal: the Citytrainer answers, a coordinator asks."""
    number = proposal_id(ident)
    activity = await activities.get(db, number) if number is not None else None
    text = (message.text or "").strip()
    if activity is None:
        await message.answer(_("This proposal no longer exists."))
    elif len(text) < MIN_LENGTH or len(text) > MAX_LENGTH:
        await message.answer(
            _("Type between {low} and {high} characters, please.").format(
                low=MIN_LENGTH, high=MAX_LENGTH
            )
        )
    elif activity.person_id == member.person.id:
        await send_answer(message, db, clock, member, activity, text)
    elif member.may(activity.programme_id, Role.COORDINATOR):
        await send_question(message, db, clock, member, activity, text)
    else:
        await message.answer(
            _("I cannot link this reply to anything. Type /help to see what you can do.")
        )
