"""A Citytrainer proposes their own activity (/voorstel), previews it and submits it.

```mermaid
stateDiagram-v2
    [*] --> asking: /voorstel (Citytrainers only)
    asking --> asking: next question (title, kind, for whom, age, neighbourhood, place, when,
    asking --> asking: expected participants, needs (multi-select), recruiting); bad input explained
    asking --> asking: "terug" (the previous question again)
    asking --> preview: the last answer
    preview --> asking: "terug"
    preview --> [*]: "Send" (saved; coordinators get it through the outbox, ref proposal:<id>)
    preview --> [*]: "Stop" or /cancel
```
The answers live in the FSM data (stored in the database, typed as `state.ProposalData`), so the
flow survives a restart. The coordinators' decision is in `handlers.decisions`.
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.activities.callbacks import NeedAction, NeedCb, ProposalAction, ProposalCb
from bot.features.activities.conversations.proposal_steps import (
    BACK_WORDS,
    NEEDS_STEP,
    STEPS,
    build,
)
from bot.features.activities.conversations.state import (
    ProposalData,
    load_proposal,
    save_proposal,
)
from bot.features.activities.keys import new_proposal_key, proposal_ref
from bot.features.activities.texts import NEEDS, decision_buttons, need_text, proposal_card
from bot.features.opportunities.conversations.post import Error
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity


class Propose(StatesGroup):
    asking = State()
    preview = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("voorstel"))
    router.message.register(receive, Propose.asking, F.text)
    router.message.register(not_text, Propose.asking)
    router.callback_query.register(
        pick, Propose.asking, ProposalCb.filter(F.action == ProposalAction.PICK)
    )
    router.callback_query.register(
        toggle, Propose.asking, NeedCb.filter(F.action == NeedAction.TOGGLE)
    )
    router.callback_query.register(
        needs_done, Propose.asking, ProposalCb.filter(F.action == ProposalAction.NEEDS_DONE)
    )
    router.message.register(back_from_preview, Propose.preview, F.text.lower().in_(BACK_WORDS))
    router.message.register(use_buttons, Propose.preview)
    router.callback_query.register(
        submit, Propose.preview, ProposalCb.filter(F.action == ProposalAction.SUBMIT)
    )
    router.callback_query.register(
        stop, Propose.preview, ProposalCb.filter(F.action == ProposalAction.STOP)
    )
    return router


def _needs_markup(index: int, chosen: list[str]) -> InlineKeyboardMarkup:
    buttons = [
        (
            ("✅ " if n in chosen else "") + need_text(n),
            NeedCb(action=NeedAction.TOGGLE, step=index, need=n).pack(),
        )
        for n in NEEDS
    ]
    buttons.append((_("Done"), ProposalCb(action=ProposalAction.NEEDS_DONE, step=index).pack()))
    return inline_choices(buttons, columns=2)


async def ask(target: Message, index: int, data: ProposalData, intro: str = "") -> None:
    step = STEPS[index]
    markup: InlineKeyboardMarkup | None = None
    if index == NEEDS_STEP:
        markup = _needs_markup(index, data.get("needs", []))
    elif step.choices():
        choices = [
            (label, ProposalCb(action=ProposalAction.PICK, step=index, choice=value).pack())
            for label, value in step.choices()
        ]
        markup = inline_choices(choices, columns=3)
    text = _("Question {n} of {total}: {prompt}").format(
        n=index + 1, total=len(STEPS), prompt=step.prompt()
    )
    if index > 0:
        text += "\n" + _("<i>Type terug for the previous question.</i>")
    await target.answer((intro + "\n\n" if intro else "") + text, reply_markup=markup)


async def begin(message: Message, state: FSMContext, roles: frozenset[Role]) -> None:
    if Role.CITYTRAINER not in roles:
        await message.answer(
            _("Only Citytrainers can propose an activity. Questions? Type /vraag.")
        )
        return
    await state.set_state(Propose.asking)
    await save_proposal(state, {"step": 0, "needs": []})
    await ask(message, 0, {}, _("Let's make a proposal for your own activity. Stop? Type /cancel."))


async def receive(message: Message, state: FSMContext, clock: Clock) -> None:
    await take(message, state, clock, message.text or "")


async def pick(
    query: CallbackQuery, callback_data: ProposalCb, state: FSMContext, clock: Clock
) -> None:
    data = await load_proposal(state)
    if callback_data.step != data.get("step", 0):
        await query.answer(_("That question was already answered."))
        return
    await query.answer()
    if isinstance(query.message, Message):
        await take(query.message, state, clock, callback_data.choice)


async def take(target: Message, state: FSMContext, clock: Clock, text: str) -> None:
    data = await load_proposal(state)
    index = data.get("step", 0)
    if text.strip().lower() in BACK_WORDS:
        data["step"] = max(index - 1, 0)
        await save_proposal(state, data)
        await ask(target, data["step"], data)
        return
    value = STEPS[index].parse(text, clock.now())
    if isinstance(value, Error):
        await target.answer(str(value))
        return
    data[STEPS[index].name] = value
    await _next(target, state, data, index + 1)


async def _next(target: Message, state: FSMContext, data: ProposalData, index: int) -> None:
    data["step"] = index
    await save_proposal(state, data)
    if index < len(STEPS):
        await ask(target, index, data)
        return
    await state.set_state(Propose.preview)
    await target.answer(
        _("Your proposal:\n\n{card}\n\nShall I send it to the coordinator?").format(
            card=proposal_card(build(data, 0, None, dt.datetime.now(dt.UTC)), _("you"))
        )
        + "\n"
        + _("<i>Type terug to change the last answer.</i>"),
        reply_markup=inline_choices(
            [
                (_("Send"), ProposalCb(action=ProposalAction.SUBMIT).pack()),
                (_("Stop"), ProposalCb(action=ProposalAction.STOP).pack()),
            ],
            columns=2,
        ),
    )


async def toggle(query: CallbackQuery, callback_data: NeedCb, state: FSMContext) -> None:
    data = await load_proposal(state)
    chosen = data.get("needs", [])
    need = callback_data.need.value
    if need in chosen:
        chosen.remove(need)
    else:
        chosen.append(need)
    data["needs"] = chosen
    await save_proposal(state, data)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=_needs_markup(NEEDS_STEP, chosen))


async def needs_done(query: CallbackQuery, state: FSMContext) -> None:
    data = await load_proposal(state)
    await query.answer()
    if data.get("step", 0) != NEEDS_STEP or not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await _next(query.message, state, data, NEEDS_STEP + 1)


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text, or tap a button."))


async def back_from_preview(message: Message, state: FSMContext) -> None:
    data = await load_proposal(state)
    data["step"] = len(STEPS) - 1
    await state.set_state(Propose.asking)
    await save_proposal(state, data)
    await ask(message, len(STEPS) - 1, data)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap <b>Send</b> or <b>Stop</b> under your proposal, or type terug."))


async def submit(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    if member is None or not isinstance(query.message, Message):
        return
    data = await load_proposal(state)
    await state.clear()
    now = clock.now()
    values = build(data, member.programme_id, member.person.id, now)
    activity = await activities.create(
        db,
        **{
            c.key: getattr(values, c.key)
            for c in Activity.__table__.c
            if c.key not in ("id", "status")
        },
    )
    name = member.person.first_name or member.identity.display_name or "?"
    text = (
        proposal_card(activity, name)
        + "\n\n"
        + _("Reply to this message to ask {name} something, or use the buttons.").format(
            name=html.quote(name)
        )
    )
    await notify.to_coordinators(
        db,
        member.programme_id,
        notify.message_payload(text, decision_buttons(activity.id)),
        key=new_proposal_key(activity.id),
        now=now,
        ref=proposal_ref(activity.id),
    )
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(
        _("Sent! Proposal #{id} is with the coordinator. You will hear from us here.").format(
            id=activity.id
        )
    )


async def stop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Stopped. Nothing was sent."))
