"""A coordinator creates a training group (cohort) with its sessions from the template.

```mermaid
stateDiagram-v2
    [*] --> name: /nieuwegroep (coordinators)
    name --> track: a name (2-100 characters)
    track --> start: "Sport" or "Culture" button
    start --> location: a day (d-m-yyyy), not in the past
    location --> leader: a place (2-200 characters)
    leader --> confirming: a course leader button, "I lead it myself" or "Later"
    leader --> leader: a leader id that was not offered (forged or no longer a leader)
    confirming --> [*]: "Create" (group, leaders and dated sessions saved)
    confirming --> name: "Start again"
    name --> [*]: /cancel (any state)
```

With "Choose a leader later" the group is made without a leader; the message saying so has the
"Course leader" button (`handlers/leaders.py`: choose one, or send an invite link), which is
also under the group in /planning.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import PlanAction, PlanCb
from bot.features.course.common import person_name, programme_setup, when
from bot.features.course.conversations.state import NewGroupData, complete
from bot.features.course.handlers import leaders
from bot.kit.callbacks import stale_button
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.course.rules import CourseTrack, SessionTimeProblem, generate_sessions
from domain.course.settings import parse_day
from domain.dates import local_today
from domain.roles import Role
from storage import people
from storage.course import queries as course

TRACKS = (CourseTrack.SPORT, CourseTrack.CULTURE)
"""The track buttons carry an index in this tuple."""


class NewGroup(StatesGroup):
    name = State()
    track = State()
    start = State()
    location = State()
    leader = State()
    confirming = State()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("nieuwegroep"))
    router.message.register(got_name, NewGroup.name, F.text)
    router.callback_query.register(
        got_track, NewGroup.track, PlanCb.filter(F.action == PlanAction.TRACK)
    )
    router.message.register(got_start, NewGroup.start, F.text)
    router.message.register(got_location, NewGroup.location, F.text)
    router.callback_query.register(
        got_leader, NewGroup.leader, PlanCb.filter(F.action == PlanAction.LEADER)
    )
    router.callback_query.register(
        create, NewGroup.confirming, PlanCb.filter(F.action == PlanAction.CREATE)
    )
    router.callback_query.register(
        again, NewGroup.confirming, PlanCb.filter(F.action == PlanAction.RESTART)
    )
    router.message.register(
        use_buttons, StateFilter(NewGroup.track, NewGroup.leader, NewGroup.confirming)
    )
    router.message.register(not_text, StateFilter(NewGroup.name, NewGroup.start, NewGroup.location))
    return router


def _coordinates(member: people.Member | None) -> bool:
    """The group is made in the coordinator's own programme: they must coordinate it."""
    return member is not None and member.may(member.programme_id, Role.COORDINATOR)


async def begin(message: Message, state: FSMContext, member: people.Member | None) -> None:
    if not _coordinates(member):
        await message.answer(_("Only a coordinator can create a group. Type /help."))
        return
    await state.clear()
    await state.set_state(NewGroup.name)
    await message.answer(
        _(
            "A new training group. What is its name?\n"
            "For example: <i>Spring 2027 North</i>\n\nChanged your mind? Type /cancel."
        )
    )


async def got_name(message: Message, state: FSMContext) -> None:
    name = (message.text or "").strip()
    if not 2 <= len(name) <= 100:
        await message.answer(_("Type a name of 2 to 100 characters."))
        return
    await NewGroupData(name=name).save(state)
    await state.set_state(NewGroup.track)
    labels = {
        CourseTrack.SPORT: _("Sport: I train my city"),
        CourseTrack.CULTURE: _("Culture: I make my city"),
    }
    await message.answer(
        _("Which track?"),
        reply_markup=inline_choices(
            [
                (labels[track], PlanCb(action=PlanAction.TRACK, ident=index).pack())
                for index, track in enumerate(TRACKS)
            ]
        ),
    )


async def got_track(query: CallbackQuery, callback_data: PlanCb, state: FSMContext) -> None:
    await NewGroupData(track=TRACKS[callback_data.ident % len(TRACKS)]).save(state)
    await state.set_state(NewGroup.start)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(
            _("On which day is the first meeting? For example: <i>3-3-2027</i>")
        )


async def got_start(
    message: Message, state: FSMContext, db: AsyncSession, clock: Clock, member: people.Member
) -> None:
    day = parse_day(message.text or "")
    tz, _settings = await programme_setup(db, member.programme_id)
    if day is None:
        await message.answer(_("I do not understand that date. Type it like <i>3-3-2027</i>."))
        return
    if day < local_today(clock.now(), tz):
        await message.answer(_("That day is in the past. Type a day from today on."))
        return
    await NewGroupData(start=day).save(state)
    await state.set_state(NewGroup.location)
    await message.answer(
        _(
            "Where do the meetings take place? "
            "For example: <i>Wijkcentrum De Poort, Hoofdstraat 1</i>"
        )
    )


async def got_location(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member
) -> None:
    place = (message.text or "").strip()
    if not 2 <= len(place) <= 200:
        await message.answer(_("Type a place of 2 to 200 characters."))
        return
    await NewGroupData(location=place).save(state)
    await state.set_state(NewGroup.leader)
    await _ask_leader(message, db, member)


async def _ask_leader(message: Message, db: AsyncSession, member: people.Member) -> None:
    leaders = await course.course_leaders(db, member.programme_id)
    choices = [
        (person_name(p), PlanCb(action=PlanAction.LEADER, ident=p.id).pack()) for p in leaders[:20]
    ]
    choices.append(
        (_("I lead it myself"), PlanCb(action=PlanAction.LEADER, ident=member.person.id).pack())
    )
    choices.append((_("Choose a leader later"), PlanCb(action=PlanAction.LEADER, ident=0).pack()))
    await message.answer(_("Who is the course leader?"), reply_markup=inline_choices(choices))


async def _may_lead(db: AsyncSession, member: people.Member, leader: int) -> bool:
    """A tapped leader is one the buttons offer: "later" (0), the coordinator, or a course leader
    of the coordinator's programme; checked again when the group is made."""
    return leader == 0 or await course.may_lead(db, member.programme_id, leader, member.person.id)


async def got_leader(
    query: CallbackQuery,
    callback_data: PlanCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    if not _coordinates(member) or not await _may_lead(db, member, callback_data.ident):
        await stale_button(query)
        return
    await NewGroupData(leader=callback_data.ident).save(state)
    answers = complete(await NewGroupData.load(state))
    if answers is None:
        await again(query, state)
        return
    tz, settings = await programme_setup(db, member.programme_id)
    plan = generate_sessions(settings.template, answers.start, tz)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    if isinstance(plan, SessionTimeProblem):
        await state.set_state(NewGroup.start)
        await query.message.answer(
            _(
                "On {day} the clock changes and {time} does not exist or happens twice. "
                "Choose another first day."
            ).format(day=plan.local.strftime("%d-%m-%Y"), time=plan.local.strftime("%H:%M"))
        )
        return
    await state.set_state(NewGroup.confirming)
    track = _("Sport track") if answers.track == CourseTrack.SPORT else _("Culture track")
    await query.message.answer(
        _(
            "Group <b>{name}</b> ({track}), max. {capacity} participants, at {place}.\n"
            "{count} sessions, the first on {first}, the last on {last}.\n"
            "You can move sessions one by one later with /planning.\n\nCreate the group?"
        ).format(
            name=html.quote(answers.name),
            track=track,
            capacity=15,
            place=html.quote(answers.location),
            count=len(plan),
            first=when(plan[0].starts_at, tz),
            last=when(plan[-1].starts_at, tz),
        ),
        reply_markup=inline_choices(
            [
                (_("Create group"), PlanCb(action=PlanAction.CREATE).pack()),
                (_("Start the group again"), PlanCb(action=PlanAction.RESTART).pack()),
            ],
            columns=2,
        ),
    )


async def create(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
) -> None:
    answers = complete(await NewGroupData.load(state))
    if answers is None:
        await again(query, state)
        return
    if not _coordinates(member):
        await state.clear()
        await stale_button(query)
        return
    if not await _may_lead(db, member, answers.leader):  # no longer a leader since it was chosen
        await state.set_state(NewGroup.leader)
        await stale_button(query)
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await _ask_leader(query.message, db, member)
        return
    now = clock.now()
    tz, settings = await programme_setup(db, member.programme_id)
    plan = generate_sessions(settings.template, answers.start, tz)
    assert not isinstance(plan, SessionTimeProblem)
    leader = answers.leader
    if leader:
        await people.grant_role(
            db, leader, member.programme_id, Role.COURSE_LEADER, now, granted_by=member.person.id
        )
    cohort = await course.create_cohort(
        db,
        programme_id=member.programme_id,
        name=answers.name,
        track=answers.track,
        start_date=answers.start,
        location=answers.location,
        leader_ids=[leader] if leader else [],
        planned=plan,
        now=now,
    )
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        text = _(
            "Group <b>{name}</b> is created with {count} sessions. "
            "Type /planning to see or move them."
        ).format(name=html.quote(cohort.name), count=len(plan))
        if leader:
            await query.message.answer(text)
            return
        await query.message.answer(
            text
            + "\n\n"
            + _(
                "It has no course leader yet. Choose one, or send an invite link to a new one, "
                "with the button below. Later: type /planning, tap the group, then "
                "<i>Course leader</i>."
            ),
            reply_markup=inline_choices([leaders.leaders_button(cohort.id)]),
        )


async def again(query: CallbackQuery, state: FSMContext) -> None:
    """Start again from the name (also when the answers so far were lost)."""
    await state.set_data({})
    await state.set_state(NewGroup.name)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("OK, from the start. What is the name of the group?"))


async def use_buttons(message: Message) -> None:
    await message.answer(_("Please choose with the buttons above. Stop with /cancel."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text. Stop with /cancel."))
