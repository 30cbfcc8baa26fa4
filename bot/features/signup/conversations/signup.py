"""Sign up for the course (/aanmelden, the "Sign up" button, or a group invite link).

```mermaid
stateDiagram-v2
    [*] --> intro: /aanmelden, "Aanmelden" or /start g-<invite>
    [*] --> [*]: already signed up (status shown)
    intro --> asking: "Beginnen"
    asking --> asking: valid answer (next question) / bad input (explained, asked again) / "terug"
    asking --> [*]: too young/old, no Dutch, outside the area, no privacy consent (nothing kept)
    asking --> summary: all questions answered
    summary --> asking: "Aanpassen" + the answer to change
    summary --> [*]: "Klopt" (saved; coordinators notified, or a consent link for under 16)
    intro --> [*]: /cancel
    asking --> [*]: /cancel
    summary --> [*]: /cancel
```
Answers live in the FSM data (stored in the database), so the flow survives restarts; nothing
about the person is stored before "Klopt".
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup.callbacks import FlowAction, SignupFlowCb
from bot.features.signup.conversations import steps, submit
from bot.features.signup.conversations.questions import SignupFlow, ask
from bot.features.signup.conversations.state import (
    SignupData,
    load_signup,
    save_signup,
    start_signup,
)
from bot.features.signup.labels import CHOICES, SKIP, STATUS, Step
from bot.kit.clock import Clock
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.dates import local_today
from domain.roles import Role
from domain.signup.settings import SignupSettings
from storage import people
from storage.course.models import Cohort
from storage.models import Programme
from storage.signup import queries as signups

MENU_SIGNUP = __("Sign up")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        from_invite, CommandStart(deep_link=True, magic=F.args.startswith("g-"))
    )
    router.message.register(begin, Command("aanmelden"))
    router.message.register(begin, F.text == MENU_SIGNUP)
    router.callback_query.register(
        go, SignupFlow.intro, SignupFlowCb.filter(F.action == FlowAction.START)
    )
    router.message.register(use_intro_button, SignupFlow.intro)
    router.callback_query.register(
        on_button, SignupFlow.asking, SignupFlowCb.filter(F.action == FlowAction.ANSWER)
    )
    router.callback_query.register(
        on_back, SignupFlow.asking, SignupFlowCb.filter(F.action == FlowAction.BACK)
    )
    router.message.register(on_message, SignupFlow.asking)
    submit.register(router)
    return router


async def _programme_zone_and_rules(
    db: AsyncSession, data: SignupData
) -> tuple[ZoneInfo, SignupSettings]:
    programme = await db.get(Programme, data.programme_id) if data.programme_id else None
    if programme is None:
        programme = await people.default_programme(db)
    assert programme is not None
    return ZoneInfo(programme.timezone), await signups.settings_for(db, programme.id)


async def begin(
    message: Message,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
    cohort: Cohort | None = None,
) -> None:
    if member is not None:
        existing = await signups.open_signup(db, member.person.id)
        if existing is not None:
            await state.clear()
            await message.answer(
                _(
                    "You have already signed up. Status: <b>{status}</b>.\n"
                    "Type /mijngegevens to see what we stored, or /vraag to ask the coordinator."
                ).format(status=STATUS[existing.status]),
                reply_markup=registry.main_menu(roles),
            )
            return
    if (
        member is not None
        and cohort is not None
        and not await people.may_join(db, member.person, cohort.programme_id)
    ):
        await state.clear()
        await message.answer(str(submit.OTHER_PROGRAMME), reply_markup=registry.main_menu(roles))
        return
    await state.set_state(SignupFlow.intro)
    data = SignupData()
    if cohort is not None:
        data.cohort_id, data.programme_id = cohort.id, cohort.programme_id
    await start_signup(state, data)
    group = (
        _("\nYou were invited for group <b>{group}</b>.").format(group=html.quote(cohort.name))
        if cohort
        else ""
    )
    await message.answer(
        _(
            "<b>Sign up for Citytrainers</b>{group}\n\n"
            "In the course you learn to organise sport or culture activities in your "
            "neighbourhood: 7 meetings, 2 follow-up days and 15 hours of practice at a club "
            "or institution. Taking part is free.\n\n"
            "I will ask about 12 short questions: your name, date of birth, postcode and what "
            "you would like to organise. We need them to place you in a group. "
            "Read what we store and why: /privacy\n\n"
            "You can go back with <b>Back</b> and stop with /cancel."
        ).format(group=group),
        reply_markup=_start_button(),
    )


def _start_button() -> InlineKeyboardMarkup:
    return inline_choices([(_("Start"), SignupFlowCb(action=FlowAction.START).pack())])


async def from_invite(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
    roles: frozenset[Role],
    clock: Clock,
    registry: Registry,
) -> None:
    invite = await signups.use_invite(db, (command.args or "")[2:], clock.now())
    if isinstance(invite, signups.TokenProblem):
        await message.answer(
            _(
                "This invitation link does not work (any more): it has expired or was used "
                "too often. You can still sign up with /aanmelden."
            ),
            reply_markup=registry.main_menu(roles),
        )
        return
    cohort = await db.get(Cohort, invite.cohort_id)
    await begin(message, state, db, member, roles, registry, cohort=cohort)


async def use_intro_button(message: Message) -> None:
    await message.answer(
        _("Tap <b>Start</b> above to begin, or type /cancel to stop."),
        reply_markup=_start_button(),
    )


async def go(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(SignupFlow.asking)
    await ask(query, state, Step.FIRST_NAME)


async def on_message(
    message: Message,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    data = await load_signup(state)
    step = data.step
    text = message.text
    if text is None:
        await message.answer(_("I can only read text here. Type your answer or tap a button."))
        await ask(message, state, step)
        return
    if text.strip().casefold() in ("terug", "back"):
        await ask(message, state, data.previous_step(step))
        return
    if step in CHOICES:
        value = steps.match_choice(step, text)
        if value is None:
            await message.answer(_("Please choose one of the buttons below the question."))
            await ask(message, state, step)
            return
        text = value
    elif step == "last_name" and steps.match_choice(step, text) == SKIP:
        text = SKIP
    await answer(message, state, db, clock, member, roles, step, text, registry)


async def on_button(
    query: CallbackQuery,
    callback_data: SignupFlowCb,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    data = await load_signup(state)
    if callback_data.step is None or callback_data.step != data.step:
        await query.answer(_("That button belongs to an earlier question."), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    await answer(
        query, state, db, clock, member, roles, callback_data.step, callback_data.value, registry
    )


async def on_back(query: CallbackQuery, state: FSMContext) -> None:
    data = await load_signup(state)
    await query.answer()
    await ask(query, state, data.previous_step(data.step))


async def answer(
    event: Message | CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    roles: frozenset[Role],
    step: Step,
    raw: str,
    registry: Registry,
) -> None:
    data = await load_signup(state)
    zone, rules = await _programme_zone_and_rules(db, data)
    now = clock.now()
    outcome = steps.check_answer(step, raw, local_today(now, zone), rules, now)
    reply = event if isinstance(event, Message) else event.message
    assert reply is not None
    if isinstance(outcome, steps.Retry):
        await reply.answer(outcome.text)
        await ask(event, state, step)
        return
    if isinstance(outcome, steps.Stop):
        await state.clear()
        await reply.answer(outcome.text, reply_markup=registry.main_menu(roles))
        return
    data.answers[step.value] = outcome.answer
    if outcome.needs_consent is not None:
        data.needs_consent = outcome.needs_consent
    if outcome.age is not None:
        data.age = outcome.age
    if not data.needs_consent:
        for parent_step in steps.PARENT_STEPS:
            data.answers.pop(parent_step, None)
    await save_signup(state, data)
    following = data.next_step()
    if following is None:
        await submit.show_summary(event, state)
    else:
        await ask(event, state, following)
