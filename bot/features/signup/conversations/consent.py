"""Parental consent on Telegram (`/start c-<token>`); a new link or withdrawing (/toestemming).

```mermaid
stateDiagram-v2
    [*] --> deciding: /start c-<token> (valid, unused, not expired; a parent's account)
    [*] --> [*]: unknown, used or expired token (explained)
    [*] --> [*]: the participant's own account or another participant's (refused, kindly)
    deciding --> [*]: "Ik geef toestemming" (stored with its evidence; coordinators notified)
    deciding --> [*]: "Nee" (signup and answers deleted; the participant is told)
```
/toestemming: a participant waiting for consent gets a new link (the old one stops working),
by e-mail to the parent when we have the parent's address; a participant or the parent who
consented on Telegram can withdraw the consent.

The participant's account, or any participant's, never answers a request: checked when the
link is opened and again in `storage.signup.queries.record_parental_consent` (see
`domain.signup.consent`). A consent through a link the participant forwarded is recorded as
unverified until a coordinator has called the parent.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys, notices
from bot.features.signup.callbacks import (
    ConsentAction,
    ConsentCb,
    ParentChoice,
    ParentConsentAction,
    ParentConsentCb,
)
from bot.features.signup.conversations.state import (
    ParentConsentData,
    load_parent_consent,
    save_parent_consent,
)
from bot.features.signup.notices import refusal_text, request_text
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.config import Settings
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from domain.signup.consent import ConsentRefusal, may_email_again
from domain.signup.status import (
    HOLDS_PLACE,
    ConsentKind,
    ConsentMethod,
    ConsentRoute,
    EnrolmentStatus,
    SignupStatus,
)
from storage import people
from storage.models import Person, Programme, RoleGrant
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.signup.models import Consent, ConsentToken, Enrolment, Signup


class ParentConsent(StatesGroup):
    deciding = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(open_link, CommandStart(deep_link=True, magic=F.args.startswith("c-")))
    router.callback_query.register(
        decide, ParentConsentCb.filter(F.action == ParentConsentAction.DECIDE)
    )
    router.message.register(toestemming, Command("toestemming"))
    router.callback_query.register(new_link, ConsentCb.filter(F.action == ConsentAction.NEW_LINK))
    router.callback_query.register(withdraw, ConsentCb.filter(F.action == ConsentAction.WITHDRAW))
    return router


def problem_text(problem: signups.TokenProblem) -> str:
    if problem is signups.TokenProblem.EXPIRED:
        return _(
            "This permission link has expired. Ask your child to type /toestemming in the "
            "bot for a new link."
        )
    if problem is signups.TokenProblem.USED:
        return _("This permission link has already been used or replaced by a newer link.")
    return _("This permission link does not work. Check that you copied the whole link.")


async def open_link(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    request = await signups.find_consent_request(db, (command.args or "")[2:], clock.now())
    if isinstance(request, signups.TokenProblem):
        await message.answer(problem_text(request), reply_markup=registry.main_menu(roles))
        return
    assert message.from_user is not None
    refusal = await signups.parental_consent_refusal(db, request.signup, message.from_user.id)
    if refusal is not None:  # before anything about the signup is shown
        await message.answer(
            refusal_text(refusal, request.signup), reply_markup=registry.main_menu(roles)
        )
        return
    programme = await db.get(Programme, request.signup.programme_id)
    await state.set_state(ParentConsent.deciding)
    await save_parent_consent(state, ParentConsentData(consent_token_id=request.token.id))
    token = request.token.id
    await message.answer(
        request_text(request.person, request.signup, programme.name if programme else ""),
        reply_markup=inline_choices(
            [
                (_("I give permission"), _parent_button(token, ParentChoice.YES)),
                (_("No"), _parent_button(token, ParentChoice.NO)),
            ],
            columns=2,
        ),
    )


def _parent_button(token_id: int, choice: ParentChoice) -> str:
    return ParentConsentCb(action=ParentConsentAction.DECIDE, token=token_id, choice=choice).pack()


async def decide(
    query: CallbackQuery,
    callback_data: ParentConsentCb,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
) -> None:
    data = await load_parent_consent(state)
    if (
        await state.get_state() != ParentConsent.deciding.state
        or data.consent_token_id != callback_data.token
    ):
        await query.answer(problem_text(signups.TokenProblem.USED), show_alert=True)
        return
    await state.clear()
    now = clock.now()
    token = await db.get(ConsentToken, callback_data.token)
    signup = await db.get(Signup, token.signup_id) if token else None
    if (
        token is None
        or signup is None
        or signup.status != SignupStatus.AWAITING_CONSENT
        or token.expires_at <= now
    ):
        await query.answer(problem_text(signups.TokenProblem.USED), show_alert=True)
        return
    refusal = await signups.parental_consent_refusal(db, signup, query.from_user.id)
    if refusal is not None:  # neither yes nor no from a participant's account
        await query.answer()
        assert query.bot is not None
        await query.bot.send_message(query.from_user.id, refusal_text(refusal, signup))
        return
    if not await signups.mark_token_used(db, token, now):
        await query.answer(problem_text(signups.TokenProblem.USED), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    assert query.bot is not None
    if callback_data.choice != ParentChoice.YES:
        await notices.parental_consent_refused(db, signup, now)
        await query.bot.send_message(
            query.from_user.id, _("Understood. The signup and its answers are deleted.")
        )
        return
    consent = await signups.record_parental_consent(
        db,
        signup,
        method=ConsentMethod.TELEGRAM,
        route=token.route or ConsentRoute.FORWARDED,
        account=signups.TelegramAccount(query.from_user.id, query.from_user.full_name),
        now=now,
    )
    assert not isinstance(consent, ConsentRefusal)  # checked above, in this transaction
    await notices.parental_consent_done(db, signup, now)
    await query.bot.send_message(
        query.from_user.id,
        _(
            "Thank you! Your permission is recorded. You can withdraw it at any time with "
            "/toestemming."
        ),
    )


async def toestemming(
    message: Message,
    db: AsyncSession,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    user = message.from_user
    assert user is not None
    own = await signups.open_signup(db, member.person.id) if member else None
    given = await signups.signups_of_parent(db, str(user.id))
    if own is not None and own.status == SignupStatus.AWAITING_CONSENT:
        await message.answer(
            _(
                "We are still waiting for permission from {parent}. Do you want a new link? "
                "The old link then stops working."
            ).format(parent=html.quote(own.parent_name or "")),
            reply_markup=inline_choices(
                [(_("New link"), ConsentCb(action=ConsentAction.NEW_LINK, signup=own.id).pack())]
            ),
        )
        return
    choices = []
    if own is not None and own.needs_consent:
        choices.append((_("Withdraw permission"), _withdraw_button(own.id)))
    for signup in given:
        person = await db.get(Person, signup.person_id)
        name = person.first_name if person and person.first_name else "?"
        choices.append(
            (
                _("Withdraw permission for {name}").format(name=name),
                _withdraw_button(signup.id),
            )
        )
    if not choices:
        await message.answer(
            _("There is no permission from a parent to change here."),
            reply_markup=registry.main_menu(roles),
        )
        return
    await message.answer(
        _(
            "Withdrawing permission stops the signup and the course place. "
            "Are you sure? Tap the button to withdraw."
        ),
        reply_markup=inline_choices(choices),
    )


def _withdraw_button(signup_id: int) -> str:
    return ConsentCb(action=ConsentAction.WITHDRAW, signup=signup_id).pack()


async def new_link(
    query: CallbackQuery,
    callback_data: ConsentCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    bot: Bot,
    settings: Settings,
) -> None:
    signup = await db.get(Signup, callback_data.signup)
    if (
        signup is None
        or member is None
        or signup.person_id != member.person.id
        or signup.status != SignupStatus.AWAITING_CONSENT
    ):
        await query.answer(_("This button no longer works."), show_alert=True)
        return
    now = clock.now()
    last = await signups.latest_token(db, signup.id)
    if (
        last is not None
        and last.route is ConsentRoute.EMAIL
        and not may_email_again(last.created_at, now)
    ):
        await query.answer(
            _("We have just sent an e-mail. Wait a few minutes and look in the spam folder too."),
            show_alert=True,
        )
        return
    await query.answer()
    for text in await notices.request_consent(db, bot, settings, signup, now):
        await bot.send_message(query.from_user.id, text)


async def withdraw(
    query: CallbackQuery,
    callback_data: ConsentCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    signup = await db.get(Signup, callback_data.signup)
    user_id = str(query.from_user.id)
    allowed = signup is not None and (
        (member is not None and signup.person_id == member.person.id)
        or signup.parent_telegram_id == user_id
    )
    if signup is None or not allowed or signup.status not in signups.OPEN_STATUSES:
        await query.answer(_("This button no longer works."), show_alert=True)
        return
    now = clock.now()
    # the same lock and one conditional update as placing: a withdrawal and a placement at
    # once never leave a withdrawn signup with a place
    await signup_groups.lock_groups(db, signup.programme_id)
    withdrawn = await signups.decide(
        db, signup, tuple(signups.OPEN_STATUSES), SignupStatus.WITHDRAWN, decided_at=now
    )
    if withdrawn is not None:
        await query.answer(_("This button no longer works."), show_alert=True)
        return
    await db.execute(
        update(Consent)
        .where(
            Consent.signup_id == signup.id,
            Consent.kind == ConsentKind.PARENTAL,
            Consent.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
    )
    await db.execute(
        update(Enrolment)
        .where(
            Enrolment.person_id == signup.person_id,
            Enrolment.status.in_(HOLDS_PLACE),
        )
        .values(status=EnrolmentStatus.WITHDRAWN, decided_at=now)
    )
    await db.execute(
        update(RoleGrant)
        .where(
            RoleGrant.person_id == signup.person_id,
            RoleGrant.role == Role.PARTICIPANT.value,
            RoleGrant.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    await notify.to_coordinators(
        db,
        signup.programme_id,
        notify.message_payload(
            _("Permission for signup #{id} was withdrawn; the signup is stopped.").format(
                id=signup.id
            )
        ),
        key=keys.withdrawn(signup.id),
        now=now,
    )
    if signup.parent_telegram_id == user_id and signup.person_id != (
        member.person.id if member else None
    ):
        await notices.to_participant(
            db,
            signup,
            _("Your parent or guardian withdrew their permission, so your signup has stopped."),
            key=keys.withdrawn_to_participant(signup.id),
            now=now,
        )
    await query.answer()
    assert query.bot is not None
    await query.bot.send_message(query.from_user.id, _("The permission is withdrawn."))
