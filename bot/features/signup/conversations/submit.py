"""The signup's summary ("klopt" / "aanpassen") and submitting it (see `conversations.signup`)."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import notices as signup_notices
from bot.features.signup.callbacks import FlowAction, SignupFlowCb
from bot.features.signup.conversations.questions import SignupFlow, ask
from bot.features.signup.conversations.state import SignupData, load_signup, save_signup
from bot.features.signup.labels import SKIP, STEP_NAMES, Step, label
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from domain.signup.status import ConsentKind, ConsentMethod, SignupStatus
from storage import people
from storage.signup import queries as signups
from storage.signup.models import Signup

OTHER_PROGRAMME = __(
    "You already have a role at Citytrainers in another municipality, so you cannot sign up "
    "here with this link. Type /vraag to ask the coordinator what is possible."
)


def register(router: Router) -> None:
    router.callback_query.register(
        send, SignupFlow.summary, SignupFlowCb.filter(F.action == FlowAction.SEND)
    )
    router.callback_query.register(
        edit_menu, SignupFlow.summary, SignupFlowCb.filter(F.action == FlowAction.EDIT)
    )
    router.callback_query.register(
        edit_step, SignupFlow.summary, SignupFlowCb.filter(F.action == FlowAction.EDIT_STEP)
    )
    router.message.register(use_buttons, SignupFlow.summary)
    router.callback_query.register(stale, SignupFlowCb.filter())  # the flow is over


CHOICE_STEPS = (Step.DUTCH, Step.TRACK, Step.GENDER, Step.SCHOOL, Step.HEARD, Step.CONTACT)
"""Questions answered with a button: the summary shows the button's label."""


def summary_text(data: SignupData) -> str:
    answers = data.answers
    lines = []
    for step in data.active_steps():
        value = answers.get(step)
        if step == Step.PRIVACY:
            shown = _("agreed")
        elif step == Step.BIRTH_DATE and value:
            shown = dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        elif step == Step.LAST_NAME and not value:
            shown = "-"
        elif step in CHOICE_STEPS:
            shown = label(step, value)
        else:
            shown = html.quote(str(value or ""))
        lines.append(f"<b>{STEP_NAMES[step]}:</b> {shown}")
    return _("Please check your answers:\n\n{lines}\n\nIs everything correct?").format(
        lines="\n".join(lines)
    )


async def show_summary(event: Message | CallbackQuery, state: FSMContext) -> None:
    await state.set_state(SignupFlow.summary)
    data = await load_signup(state)
    markup = inline_choices(
        [
            (_("Correct, send"), SignupFlowCb(action=FlowAction.SEND).pack()),
            (_("Change something"), SignupFlowCb(action=FlowAction.EDIT).pack()),
        ],
        columns=2,
    )
    text = summary_text(data)
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
    else:
        assert event.bot is not None
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap <b>Correct, send</b> or <b>Change something</b> above."))


async def edit_menu(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    data = await load_signup(state)
    choices = [
        (str(STEP_NAMES[s]), SignupFlowCb(action=FlowAction.EDIT_STEP, step=s).pack())
        for s in data.active_steps()
        if s != Step.PRIVACY
    ]
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _("What do you want to change?"),
        reply_markup=inline_choices(choices, columns=2),
    )


async def edit_step(query: CallbackQuery, callback_data: SignupFlowCb, state: FSMContext) -> None:
    await query.answer()
    step = callback_data.step
    data = await load_signup(state)
    if step is None or step not in data.active_steps():
        return
    data.answers.pop(step, None)
    await save_signup(state, data)
    await state.set_state(SignupFlow.asking)
    await ask(query, state, step)


async def stale(query: CallbackQuery) -> None:
    await query.answer(
        _("This button no longer works. Type /aanmelden to sign up."), show_alert=True
    )


async def send(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    roles: frozenset[Role],
    bot: Bot,
    settings: Settings,
    registry: Registry,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    data = await load_signup(state)
    answers = data.answers
    if data.next_step() is not None:
        await show_summary(query, state)
        return
    now = clock.now()
    user = query.from_user
    member = member or await people.ensure_telegram_member(
        db,
        user_id=user.id,
        chat_id=user.id,
        first_name=user.first_name,
        display_name=user.full_name,
        now=now,
    )
    await state.clear()
    if await signups.open_signup(db, member.person.id) is not None:
        await bot.send_message(user.id, _("You have already signed up."))
        return
    person = member.person
    if not await people.join_programme(db, person, data.programme_id or person.programme_id):
        await bot.send_message(
            user.id, str(OTHER_PROGRAMME), reply_markup=registry.main_menu(roles)
        )
        return
    person.first_name = answers[Step.FIRST_NAME]
    person.last_name = answers.get(Step.LAST_NAME) or None
    person.birth_date = dt.date.fromisoformat(answers[Step.BIRTH_DATE])
    person.postcode = answers[Step.POSTCODE]
    signup = _new_signup(person.programme_id, person.id, data, now)
    db.add(signup)
    await db.flush()
    await signups.add_consent(
        signup=signup,
        session=db,
        kind=ConsentKind.PRIVACY,
        given_by=None,
        method=ConsentMethod.TELEGRAM,
        now=dt.datetime.fromisoformat(answers[Step.PRIVACY]),
    )
    if signup.needs_consent:
        texts = await signup_notices.request_consent(db, bot, settings, signup, now)
        for number, text in enumerate(texts, 1):
            menu = registry.main_menu(roles) if number == len(texts) else None
            await bot.send_message(user.id, text, reply_markup=menu)
        return
    signup.status = SignupStatus.SUBMITTED
    signup.submitted_at = now
    await signup_notices.new_signup_to_coordinators(db, signup, person, now)
    await bot.send_message(
        user.id,
        _(
            "Thank you, your signup has been sent! The coordinator will look at it and let "
            "you know here in the chat."
        ),
        reply_markup=registry.main_menu(roles),
    )


def _new_signup(programme_id: int, person_id: int, data: SignupData, now: dt.datetime) -> Signup:
    answers = data.answers

    def optional(step: Step) -> str | None:
        value = answers.get(step)
        return None if value in (None, SKIP) else str(value)

    return Signup(
        programme_id=data.programme_id or programme_id,
        person_id=person_id,
        status=SignupStatus.AWAITING_CONSENT if data.needs_consent else SignupStatus.SUBMITTED,
        track=answers[Step.TRACK],
        age_at_signup=data.age,
        motivation=answers[Step.MOTIVATION],
        gender=optional(Step.GENDER),
        school=optional(Step.SCHOOL),
        heard_from=optional(Step.HEARD),
        contact=optional(Step.CONTACT),
        needs_consent=data.needs_consent,
        parent_name=answers.get(Step.PARENT_NAME),
        parent_contact=answers.get(Step.PARENT_CONTACT),
        cohort_id=data.cohort_id,
        privacy_version=signups.PRIVACY_VERSION,
        privacy_accepted_at=dt.datetime.fromisoformat(answers[Step.PRIVACY]),
        created_at=now,
    )
