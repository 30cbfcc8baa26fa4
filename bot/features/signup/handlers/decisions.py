"""Coordinators decide on signups: place in a group, waiting list, ask a question, decline.

The buttons (prefix `sd`) come with the outbox notification of a new signup. Asking and
declining take one typed message (a small FSM step); the person is told through the outbox.
A parent's permission through a forwarded link is unverified: "Nagebeld en bevestigd" records
who called the parent and when, and only then can the signup be placed or put on a waiting
list (`domain.signup.consent.may_place`). Paper consent is recorded as verified by the
coordinator who records it.

Two coordinators may tap at the same moment: every decision is taken in storage by a
conditional update of the signup (`storage.signup.queries.decide`), so exactly one counts; the
other coordinator gets "Already decided: ..." and nothing else happens (no second place, list
entry or message).
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import keys, notices
from bot.features.signup.callbacks import DecisionAction, SignupDecision
from bot.features.signup.conversations.state import (
    CoordinatorData,
    load_coordinator,
    save_coordinator,
)
from bot.features.signup.labels import STATUS
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from domain.signup.capacity import PlacementError
from domain.signup.consent import may_place
from domain.signup.status import UNDECIDED, ConsentMethod, ConsentRoute, SignupStatus
from storage import people
from storage.course.models import Cohort
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.signup.models import Signup

MIN_TEXT, MAX_TEXT = 3, 1000


class CoordinatorSignup(StatesGroup):
    asking = State()
    declining = State()
    paper = State()


CHOOSE_GROUP = {
    DecisionAction.PLACE: DecisionAction.PLACE_IN,
    DecisionAction.WAIT: DecisionAction.WAIT_IN,
}
"""Buttons that first ask for the group, and the button of each group they then show."""
TYPED = {
    DecisionAction.ASK: CoordinatorSignup.asking,
    DecisionAction.DECLINE: CoordinatorSignup.declining,
    DecisionAction.PAPER: CoordinatorSignup.paper,
}
"""Buttons after which the coordinator types a text, and the state that receives it."""


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.filter(HasRole(Role.COORDINATOR))
    router.message.filter(HasRole(Role.COORDINATOR))
    cb = router.callback_query.register
    cb(choose_group, SignupDecision.filter(F.action.in_(CHOOSE_GROUP)))
    cb(place_in, SignupDecision.filter(F.action == DecisionAction.PLACE_IN))
    cb(wait_in, SignupDecision.filter(F.action == DecisionAction.WAIT_IN))
    cb(start_text, SignupDecision.filter(F.action.in_(TYPED)))
    cb(verify, SignupDecision.filter(F.action == DecisionAction.VERIFY))
    router.message.register(receive_text, StateFilter(*CoordinatorSignup.__states__), F.text)
    router.message.register(not_text, StateFilter(*CoordinatorSignup.__states__))
    return router


async def not_text(message: Message) -> None:
    await message.answer(_("Please type it as text, or /cancel."))


async def _open(
    query: CallbackQuery, db: AsyncSession, member: people.Member | None, signup_id: int
) -> Signup | None:
    signup = await signups.get_signup(db, signup_id)
    if signup is None or member is None or not member.may(signup.programme_id, Role.COORDINATOR):
        await query.answer(_("This signup no longer exists."), show_alert=True)
        return None
    if signup.anonymised_at is not None:
        await query.answer(_("This signup no longer exists."), show_alert=True)
        return None
    return signup


async def _decided(query: CallbackQuery, signup: Signup, allowed: tuple[SignupStatus, ...]) -> bool:
    if signup.status in allowed:
        return False
    await _already(query, signup.status)
    return True


async def _already(query: CallbackQuery, status: SignupStatus) -> None:
    await query.answer(
        _("Already decided: {status}.").format(status=STATUS.get(status, status)),
        show_alert=True,
    )


async def _unverified(query: CallbackQuery, db: AsyncSession, signup: Signup) -> bool:
    """True (and the coordinator told) when the parent's permission still needs a call."""
    if may_place(
        needs_consent=signup.needs_consent,
        consent_verified=await signups.consent_verified(db, signup),
    ):
        return False
    await query.answer(
        _(
            "First call the parent to check the permission, then tap Called and confirmed. "
            "Only then can you place the signup."
        ),
        show_alert=True,
    )
    return True


async def verify(
    query: CallbackQuery,
    callback_data: SignupDecision,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    """ "Nagebeld en bevestigd": the coordinator called the parent, who confirmed."""
    signup = await _open(query, db, member, callback_data.signup)
    if signup is None or member is None:
        return
    before = await signups.parental_consent(db, signup.id)
    if before is not None and before.verified_at is not None:
        await query.answer(_("This permission was already confirmed."), show_alert=True)
        return
    consent = await signups.verify_parental_consent(db, signup, member.person.id, clock.now())
    if consent is None:
        await query.answer(_("There is no permission to confirm."), show_alert=True)
        return
    if consent.verified_by != member.person.id:  # another coordinator confirmed just before
        await query.answer(_("This permission was already confirmed."), show_alert=True)
        return
    await query.answer(_("Confirmed."))
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _(
            "The permission for signup #{id} is confirmed by you. You can now place the signup."
        ).format(id=signup.id),
        reply_markup=notices.decision_keyboard(signup.id),
    )


async def choose_group(
    query: CallbackQuery,
    callback_data: SignupDecision,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    signup = await _open(query, db, member, callback_data.signup)
    if signup is None or await _decided(query, signup, UNDECIDED):
        return
    if await _unverified(query, db, signup):
        return
    groups = await signup_groups.cohorts(db, signup.programme_id)
    if not groups:
        await query.answer(_("There are no groups yet. Create a group first."), show_alert=True)
        return
    await query.answer()
    action = CHOOSE_GROUP[callback_data.action]
    buttons = []
    for cohort in groups:
        load = await signup_groups.load(db, cohort, clock.now())
        mark = "★ " if cohort.id == signup.cohort_id else ""
        buttons.append(
            (
                f"{mark}{cohort.name} ({load.placed}/{cohort.capacity})",
                SignupDecision(action=action, signup=signup.id, cohort=cohort.id).pack(),
            )
        )
    question = (
        _("In which group do you place signup #{id}?")
        if action == DecisionAction.PLACE_IN
        else _("On the waiting list of which group do you put signup #{id}?")
    )
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id, question.format(id=signup.id), reply_markup=inline_choices(buttons)
    )


async def _cohort(db: AsyncSession, signup: Signup, cohort_id: int) -> Cohort | None:
    cohort = await db.get(Cohort, cohort_id)
    return cohort if cohort is not None and cohort.programme_id == signup.programme_id else None


async def place_in(
    query: CallbackQuery,
    callback_data: SignupDecision,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    signup = await _open(query, db, member, callback_data.signup)
    if signup is None or await _decided(query, signup, UNDECIDED):
        return
    if await _unverified(query, db, signup):
        return
    cohort = await _cohort(db, signup, callback_data.cohort)
    if cohort is None or member is None:
        await query.answer(_("This group no longer exists."), show_alert=True)
        return
    now = clock.now()
    result = await signup_groups.place(db, signup, cohort, now)
    if isinstance(result, signups.AlreadyDecided):
        await _already(query, result.status)
        return
    assert query.bot is not None
    if result is PlacementError.GROUP_FULL:
        await query.answer()
        await query.bot.send_message(
            query.from_user.id,
            _("Group {group} is full ({capacity} places). Choose another group, or:").format(
                group=html.quote(cohort.name), capacity=cohort.capacity
            ),
            reply_markup=inline_choices(
                [
                    (
                        _("Put on the waiting list of {group}").format(group=cohort.name),
                        SignupDecision(
                            action=DecisionAction.WAIT_IN, signup=signup.id, cohort=cohort.id
                        ).pack(),
                    )
                ]
            ),
        )
        return
    await people.grant_role(
        db,
        signup.person_id,
        signup.programme_id,
        Role.PARTICIPANT,
        now,
        granted_by=member.person.id,
    )
    await notices.to_participant(
        db, signup, await notices.placed_text(db, cohort), key=keys.placed(signup.id), now=now
    )
    await query.answer(_("Placed."))
    await query.bot.send_message(
        query.from_user.id,
        _("Signup #{id} is placed in group {group}. We let the person know.").format(
            id=signup.id, group=html.quote(cohort.name)
        ),
    )


async def wait_in(
    query: CallbackQuery,
    callback_data: SignupDecision,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    signup = await _open(query, db, member, callback_data.signup)
    if signup is None or await _decided(query, signup, (SignupStatus.SUBMITTED,)):
        return
    if await _unverified(query, db, signup):
        return
    cohort = await _cohort(db, signup, callback_data.cohort)
    if cohort is None:
        await query.answer(_("This group no longer exists."), show_alert=True)
        return
    now = clock.now()
    position = await signup_groups.put_on_waiting_list(db, signup, cohort, now)
    if isinstance(position, signups.AlreadyDecided):
        await _already(query, position.status)
        return
    await notices.to_participant(
        db,
        signup,
        _(
            "Thank you for signing up! Group {group} is full right now, so you are on the "
            "waiting list (number {position}). When a place is free, we offer it to you here."
        ).format(group=html.quote(cohort.name), position=position),
        key=keys.waiting(signup.id, cohort.id),
        now=now,
    )
    await query.answer(_("On the waiting list."))
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _("Signup #{id} is number {position} on the waiting list of {group}.").format(
            id=signup.id, position=position, group=html.quote(cohort.name)
        ),
    )


async def start_text(
    query: CallbackQuery,
    callback_data: SignupDecision,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member | None,
) -> None:
    signup = await _open(query, db, member, callback_data.signup)
    if signup is None:
        return
    paper = callback_data.action == DecisionAction.PAPER
    allowed = (SignupStatus.AWAITING_CONSENT,) if paper else UNDECIDED
    if await _decided(query, signup, allowed):
        return
    await query.answer()
    await state.set_state(TYPED[callback_data.action])
    await save_coordinator(state, CoordinatorData(signup_id=signup.id))
    prompt = {
        DecisionAction.ASK: _(
            "Type your question for signup #{id}. It goes to the person in the chat."
        ),
        DecisionAction.DECLINE: _(
            "Why do you decline signup #{id}? Type a short, kind reason; the person reads it."
        ),
        DecisionAction.PAPER: _(
            "Who signed the consent form on paper for signup #{id}? Type their name."
        ),
    }[callback_data.action]
    assert query.bot is not None
    await query.bot.send_message(query.from_user.id, prompt.format(id=signup.id))


async def receive_text(
    message: Message,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    text = (message.text or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        await message.answer(_("Please use 3 to 1000 characters, or type /cancel."))
        return
    current = await state.get_state()
    data = await load_coordinator(state)
    await state.clear()
    signup = await signups.get_signup(db, data.signup_id) if data.signup_id else None
    if signup is None or member is None or not member.may(signup.programme_id, Role.COORDINATOR):
        await message.answer(_("This signup no longer exists."))
        return
    now = clock.now()
    if current == CoordinatorSignup.asking.state:
        await notices.to_participant(
            db,
            signup,
            _(
                "The coordinator has a question about your signup:\n\n{question}\n\n"
                "Reply to this message to answer."
            ).format(question=html.quote(text)),
            key=keys.question(signup.id, message.message_id),
            now=now,
            ref=keys.signup_ref(signup.id),
            report_to=member.person.id,
        )
        await message.answer(_("Your question is on its way."))
    elif current == CoordinatorSignup.declining.state:
        if await signup_groups.decline(db, signup, text, now) is not None:
            await message.answer(_("This signup was already decided."))
            return
        await notices.to_participant(
            db,
            signup,
            _(
                "Thank you for signing up for Citytrainers. Sadly we cannot offer you a place "
                "this time. The coordinator explains:\n\n{reason}\n\nQuestions? Type /vraag."
            ).format(reason=html.quote(text)),
            key=keys.declined(signup.id),
            now=now,
            report_to=member.person.id,
        )
        await message.answer(
            _("Signup #{id} is declined. We let the person know.").format(id=signup.id)
        )
    else:
        if await signups.claim_for_paper_consent(db, signup, now) is not None:
            await message.answer(_("This signup was already decided."))
            return
        await signups.record_parental_consent(
            db,
            signup,
            method=ConsentMethod.PAPER,
            route=ConsentRoute.PAPER,
            stated_name=text,
            recorded_by=member.person.id,
            now=now,
        )
        await notices.parental_consent_done(db, signup, now)
        await message.answer(_("Paper consent for signup #{id} is recorded.").format(id=signup.id))
