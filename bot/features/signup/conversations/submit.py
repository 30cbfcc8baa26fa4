"""The signup's summary ("klopt" / "aanpassen") and submitting it (see bot.conversations.signup)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import notices as signup_notices
from bot.features.signup.conversations import steps
from bot.features.signup.conversations.questions import SignupCb, SignupFlow, ask
from bot.features.signup.labels import SKIP, STEP_NAMES, label
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people
from storage.signup import queries as signups
from storage.signup.models import Signup


def register(router: Router) -> None:
    router.callback_query.register(send, SignupFlow.summary, SignupCb.filter(F.action == "ok"))
    router.callback_query.register(
        edit_menu, SignupFlow.summary, SignupCb.filter(F.action == "edit")
    )
    router.callback_query.register(edit_step, SignupFlow.summary, SignupCb.filter(F.action == "e"))
    router.message.register(use_buttons, SignupFlow.summary)
    router.callback_query.register(
        stale, SignupCb.filter(F.action.in_({"go", "a", "back", "ok", "edit", "e"}))
    )


def summary_text(data: dict[str, Any]) -> str:
    answers = data.get("answers", {})
    lines = []
    for step in steps.active_steps(data):
        value = answers.get(step)
        if step == "privacy":
            shown = _("agreed")
        elif step == "birth_date" and value:
            shown = dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        elif step == "last_name" and not value:
            shown = "-"
        elif step in ("dutch", "track", "gender", "school", "heard", "contact"):
            shown = label(step, value)
        else:
            shown = html.quote(str(value or ""))
        lines.append(f"<b>{STEP_NAMES[step]}:</b> {shown}")
    return _("Please check your answers:\n\n{lines}\n\nIs everything correct?").format(
        lines="\n".join(lines)
    )


async def show_summary(event: Message | CallbackQuery, state: FSMContext) -> None:
    await state.set_state(SignupFlow.summary)
    data = await state.get_data()
    markup = inline_choices(
        [
            (_("Correct, send"), SignupCb(action="ok").pack()),
            (_("Change something"), SignupCb(action="edit").pack()),
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
    data = await state.get_data()
    choices = [
        (str(STEP_NAMES[s]), SignupCb(action="e", step=s).pack())
        for s in steps.active_steps(data)
        if s != "privacy"
    ]
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _("What do you want to change?"),
        reply_markup=inline_choices(choices, columns=2),
    )


async def edit_step(query: CallbackQuery, callback_data: SignupCb, state: FSMContext) -> None:
    await query.answer()
    if callback_data.step not in steps.STEPS:
        return
    data = await state.get_data()
    answers = dict(data.get("answers", {}))
    answers.pop(callback_data.step, None)
    await state.update_data(answers=answers)
    await state.set_state(SignupFlow.asking)
    await ask(query, state, callback_data.step)


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
    data = await state.get_data()
    answers: dict[str, Any] = data.get("answers", {})
    if steps.next_step(data) is not None:
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
    person.first_name = answers["first_name"]
    person.last_name = answers.get("last_name") or None
    person.birth_date = dt.date.fromisoformat(answers["birth_date"])
    person.postcode = answers["postcode"]
    signup = _new_signup(member.programme_id, person.id, data, answers, now)
    db.add(signup)
    await db.flush()
    await signups.add_consent(
        signup=signup,
        session=db,
        kind="privacy",
        given_by=None,
        method="telegram",
        now=dt.datetime.fromisoformat(answers["privacy"]),
    )
    if signup.needs_consent:
        rules = await signups.settings_for(db, signup.programme_id)
        token = await signups.issue_consent_token(db, signup, now, rules.consent_valid_days)
        text = await signup_notices.consent_link_text(bot, settings, signup, token, rules)
        await bot.send_message(user.id, text, reply_markup=registry.main_menu(roles))
        return
    signup.status = "submitted"
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


def _new_signup(
    programme_id: int,
    person_id: int,
    data: dict[str, Any],
    answers: dict[str, Any],
    now: dt.datetime,
) -> Signup:
    def optional(step: str) -> str | None:
        value = answers.get(step)
        return None if value in (None, SKIP) else str(value)

    return Signup(
        programme_id=data.get("programme_id") or programme_id,
        person_id=person_id,
        status="awaiting_consent" if data.get("needs_consent") else "submitted",
        track=answers["track"],
        age_at_signup=int(data.get("age", 0)),
        motivation=answers["motivation"],
        gender=optional("gender"),
        school=optional("school"),
        heard_from=optional("heard"),
        contact=optional("contact"),
        needs_consent=bool(data.get("needs_consent")),
        parent_name=answers.get("parent_name"),
        parent_contact=answers.get("parent_contact"),
        cohort_id=data.get("cohort_id"),
        privacy_version=signups.PRIVACY_VERSION,
        privacy_accepted_at=dt.datetime.fromisoformat(answers["privacy"]),
        created_at=now,
    )
