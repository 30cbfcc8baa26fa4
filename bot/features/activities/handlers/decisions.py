"""Coordinators decide on a proposal: "Goedkeuren", "Vraag stellen", "Afwijzen" (with a reason).

A question goes to the Citytrainer (outbox, ref `proposal:<id>`); the answer (a reply to that
message, or typed after tapping "Antwoorden") goes back to the coordinators with the decision
buttons again. Every question and answer is stored (`ProposalMessage`), every text carries the
proposal's number (#id) so the thread stays together. Each decision reaches the Citytrainer.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.activities.callbacks import DecisionAction, DecisionCb
from bot.features.activities.conversations.state import ThreadData, load_thread, save_thread
from bot.features.activities.handlers.thread import (
    MAX_LENGTH,
    MIN_LENGTH,
    person_name,
    send_answer,
    send_question,
)
from bot.features.activities.keys import decision_key, proposal_ref
from bot.features.activities.texts import helpers_button
from bot.kit import notify
from bot.kit.clock import Clock
from domain.roles import Role
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity, ActivityStatus


class ProposalChat(StatesGroup):
    asking = State()  # a coordinator types a question
    declining = State()  # a coordinator types the reason
    answering = State()  # the Citytrainer types an answer


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(approve, DecisionCb.filter(F.action == DecisionAction.APPROVE))
    router.callback_query.register(
        start_question, DecisionCb.filter(F.action == DecisionAction.ASK)
    )
    router.callback_query.register(
        start_decline, DecisionCb.filter(F.action == DecisionAction.DECLINE)
    )
    router.callback_query.register(
        start_answer, DecisionCb.filter(F.action == DecisionAction.ANSWER)
    )
    router.message.register(typed, ProposalChat.asking, F.text)
    router.message.register(typed, ProposalChat.declining, F.text)
    router.message.register(typed, ProposalChat.answering, F.text)
    router.message.register(not_text, ProposalChat.asking)
    router.message.register(not_text, ProposalChat.declining)
    router.message.register(not_text, ProposalChat.answering)
    return router


async def _own(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, activity_id: int
) -> Activity | None:
    """The proposal, when the one who tapped is a coordinator of its programme."""
    activity = await activities.get(db, activity_id)
    if (
        member is None
        or activity is None
        or not member.may(activity.programme_id, Role.COORDINATOR)
    ):
        await query.answer(_("Only the coordinator can decide on this proposal."), show_alert=True)
        return None
    if activity.status != ActivityStatus.SUBMITTED:
        await query.answer(_("Proposal #{id} was already decided.").format(id=activity.id))
        return None
    return activity


async def approve(
    query: CallbackQuery,
    callback_data: DecisionCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    activity = await _own(query, db, member, callback_data.activity_id)
    if activity is None or member is None:
        return
    now = clock.now()
    if not await activities.decide(
        db, activity.id, ActivityStatus.APPROVED, member.person.id, None, now
    ):
        await query.answer(_("Proposal #{id} was already decided.").format(id=activity.id))
        return
    await query.answer(_("Approved."))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("Proposal #{id} is approved. {name} has been told.").format(
                id=activity.id, name=await person_name(db, activity)
            )
        )
    if activity.person_id is not None:
        await notify.to_person(
            db,
            activity.person_id,
            notify.message_payload(
                _(
                    "Good news! Your proposal #{id} <b>{title}</b> is approved. It is now in "
                    "/agenda. Would you like other Citytrainers to help? Tap the button."
                ).format(id=activity.id, title=html.quote(activity.title)),
                helpers_button(activity.id),
            ),
            key=decision_key(activity.id, ActivityStatus.APPROVED),
            now=now,
            ref=proposal_ref(activity.id),
        )


async def start_question(
    query: CallbackQuery,
    callback_data: DecisionCb,
    db: AsyncSession,
    state: FSMContext,
    member: people.Member | None,
) -> None:
    activity = await _own(query, db, member, callback_data.activity_id)
    if activity is None:
        return
    await query.answer()
    await state.set_state(ProposalChat.asking)
    await save_thread(state, ThreadData(activity=activity.id))
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _("Type your question about proposal #{id} for {name}. Stop? Type /cancel.").format(
            id=activity.id, name=await person_name(db, activity)
        ),
    )


async def start_decline(
    query: CallbackQuery,
    callback_data: DecisionCb,
    db: AsyncSession,
    state: FSMContext,
    member: people.Member | None,
) -> None:
    activity = await _own(query, db, member, callback_data.activity_id)
    if activity is None:
        return
    await query.answer()
    await state.set_state(ProposalChat.declining)
    await save_thread(state, ThreadData(activity=activity.id))
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _(
            "Why do you decline proposal #{id}? {name} will read your reason, so write it "
            "kindly. For example: <i>Nice idea! There is already a football afternoon in Noord "
            "then. Could you pick another day?</i> Stop? Type /cancel."
        ).format(id=activity.id, name=await person_name(db, activity)),
    )


async def start_answer(
    query: CallbackQuery,
    callback_data: DecisionCb,
    db: AsyncSession,
    state: FSMContext,
    member: people.Member | None,
) -> None:
    activity = await activities.get(db, callback_data.activity_id)
    if activity is None or member is None or activity.person_id != member.person.id:
        await query.answer(_("This proposal is not yours."), show_alert=True)
        return
    await query.answer()
    await state.set_state(ProposalChat.answering)
    await save_thread(state, ThreadData(activity=activity.id))
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _("Type your answer about proposal #{id}.").format(id=activity.id),
    )


async def typed(
    message: Message,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    text = (message.text or "").strip()
    if len(text) < MIN_LENGTH or len(text) > MAX_LENGTH:
        await message.answer(
            _("Type between {low} and {high} characters, please.").format(
                low=MIN_LENGTH, high=MAX_LENGTH
            )
        )
        return
    current = await state.get_state()
    data = await load_thread(state)
    await state.clear()
    activity = await activities.get(db, data.activity)
    if activity is None or member is None:
        await message.answer(_("This proposal no longer exists."))
        return
    if current == ProposalChat.answering.state:
        await send_answer(message, db, clock, member, activity, text)
    elif current == ProposalChat.asking.state:
        await send_question(message, db, clock, member, activity, text)
    else:
        await decline(message, db, clock, member, activity, text)


async def decline(
    message: Message,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
    activity: Activity,
    reason: str,
) -> None:
    now = clock.now()
    if not await activities.decide(
        db, activity.id, ActivityStatus.DECLINED, member.person.id, reason, now
    ):
        await message.answer(_("Proposal #{id} was already decided.").format(id=activity.id))
        return
    name = await person_name(db, activity)
    await message.answer(
        _("Proposal #{id} is declined. {name} gets your reason.").format(id=activity.id, name=name)
    )
    if activity.person_id is not None:
        await notify.to_person(
            db,
            activity.person_id,
            notify.message_payload(
                _(
                    "Your proposal #{id} <b>{title}</b> is not approved. The coordinator says:\n\n"
                    "{reason}\n\nYou are welcome to make a new proposal with /voorstel."
                ).format(
                    id=activity.id, title=html.quote(activity.title), reason=html.quote(reason)
                )
            ),
            key=decision_key(activity.id, ActivityStatus.DECLINED),
            now=now,
            ref=proposal_ref(activity.id),
        )


async def not_text(message: Message) -> None:
    await message.answer(_("Please type it as text. Stop? Type /cancel."))
