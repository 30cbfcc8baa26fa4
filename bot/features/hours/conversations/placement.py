"""A coordinator places a trainee at an organisation with a supervisor ("warme overdracht").

```mermaid
stateDiagram-v2
    [*] --> trainee: "Place trainee: <organisation>" (coordinator)
    trainee --> supervisor: a trainee (button)
    supervisor --> track: a supervisor (skipped when there is one)
    track --> motivation: sport / culture
    motivation --> confirm: a few words about the trainee (or "-")
    confirm --> [*]: "Place": both get an introduction (outbox)
    trainee --> trainee: a trainee or supervisor that was not offered ("no longer works")
```
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import keys
from bot.features.hours.callbacks import HoursAction, HoursCb
from bot.features.hours.common import name_of
from bot.features.hours.conversations.state import PlacementDraft
from bot.kit import notify
from bot.kit.callbacks import stale_button
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.hours.places import PlacementTrack, pick
from domain.roles import Role
from storage import people
from storage.hours import queries as hours

TRACKS = tuple(PlacementTrack)
"""In the order of the buttons (a button carries the index)."""


class Placing(StatesGroup):
    trainee = State()
    supervisor = State()
    track = State()
    motivation = State()
    confirm = State()


def track_text(track: PlacementTrack | str | None) -> str:
    if track == PlacementTrack.SPORT:
        return _("Ik train mijn stad (sport)")
    if track == PlacementTrack.CULTURE:
        return _("Ik maak mijn stad (culture)")
    return "-"


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        begin, HoursCb.filter(F.action == HoursAction.ORGANISATION_PLACE), HasRole(Role.COORDINATOR)
    )
    router.callback_query.register(
        got_trainee, Placing.trainee, HoursCb.filter(F.action == HoursAction.PLACE_TRAINEE)
    )
    router.callback_query.register(
        got_supervisor, Placing.supervisor, HoursCb.filter(F.action == HoursAction.PLACE_SUPERVISOR)
    )
    router.callback_query.register(
        got_track, Placing.track, HoursCb.filter(F.action == HoursAction.PLACE_TRACK)
    )
    router.message.register(got_motivation, Placing.motivation, F.text)
    router.callback_query.register(
        place, Placing.confirm, HoursCb.filter(F.action == HoursAction.PLACE_CONFIRM)
    )
    router.message.register(
        use_buttons,
        StateFilter(Placing.trainee, Placing.supervisor, Placing.track, Placing.confirm),
    )
    router.message.register(not_text, Placing.motivation)
    return router


async def begin(
    query: CallbackQuery,
    callback_data: HoursCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    org = await hours.get_organisation(db, callback_data.value)
    if org is None or not member.may(org.programme_id, Role.COORDINATOR):
        await _gone(query.message)
        return
    supervisors = await hours.supervisor_ids(db, org.id)
    if not supervisors:
        await query.message.answer(
            _("{name} has no supervisor yet. Invite one first with /organisatie.").format(
                name=html.quote(org.name)
            )
        )
        return
    trainees = (await hours.placeable_trainees(db, org))[:30]
    if not trainees:
        await query.message.answer(_("There are no participants to place yet."))
        return
    await state.set_state(Placing.trainee)
    await PlacementDraft(org=org.id, supervisors=tuple(supervisors)).save(state)
    await query.message.answer(
        _("Who do you place at {name}?").format(name=html.quote(org.name)),
        reply_markup=inline_choices(
            [
                (
                    f"{t.first_name or '?'} {t.last_name or ''}".strip(),
                    HoursCb(action=HoursAction.PLACE_TRAINEE, value=t.id).pack(),
                )
                for t in trainees
            ],
            columns=2,
        ),
    )


async def _offered(
    db: AsyncSession,
    member: people.Member,
    draft: PlacementDraft,
    *,
    trainee: int | None = None,
    supervisor: int | None = None,
) -> bool:
    """Tapped ids are re-checked against what the flow offers, in this update's transaction:
    an organisation of the coordinator's programme, a trainee of that programme, a supervisor
    of that organisation (`storage.hours.queries.offered_placement`)."""
    org = await hours.get_organisation(db, draft.org) if draft.org is not None else None
    if org is None or not member.may(org.programme_id, Role.COORDINATOR):
        return False
    return await hours.offered_placement(
        db, org, org.programme_id, trainee_id=trainee, supervisor_id=supervisor
    )


async def got_trainee(
    query: CallbackQuery,
    callback_data: HoursCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    loaded = await PlacementDraft.load(state)
    if not await _offered(db, member, loaded, trainee=callback_data.value):
        await stale_button(query)
        return
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    draft = replace(loaded, trainee=callback_data.value)
    await draft.save(state)
    if not draft.supervisors:  # state of an older version
        await state.clear()
        await _gone(query.message)
        return
    if len(draft.supervisors) == 1:
        await _ask_track(query.message, state, draft.supervisors[0])
        return
    await state.set_state(Placing.supervisor)
    choices = [
        (await name_of(db, pid), HoursCb(action=HoursAction.PLACE_SUPERVISOR, value=pid).pack())
        for pid in draft.supervisors
    ]
    await query.message.answer(
        _("Which supervisor coaches this trainee?"), reply_markup=inline_choices(choices)
    )


async def got_supervisor(
    query: CallbackQuery,
    callback_data: HoursCb,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    draft = await PlacementDraft.load(state)
    if callback_data.value not in draft.supervisors or not await _offered(
        db, member, draft, supervisor=callback_data.value
    ):
        await stale_button(query)
        return
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    await _ask_track(query.message, state, callback_data.value)


async def _ask_track(message: Message, state: FSMContext, supervisor: int) -> None:
    await replace(await PlacementDraft.load(state), supervisor=supervisor).save(state)
    await state.set_state(Placing.track)
    await message.answer(
        _("Which track does the trainee follow?"),
        reply_markup=inline_choices(
            [
                (track_text(t), HoursCb(action=HoursAction.PLACE_TRACK, value=i).pack())
                for i, t in enumerate(TRACKS)
            ]
        ),
    )


async def got_track(query: CallbackQuery, callback_data: HoursCb, state: FSMContext) -> None:
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    track = pick(TRACKS, callback_data.value)
    await replace(await PlacementDraft.load(state), track=track).save(state)
    await state.set_state(Placing.motivation)
    await query.message.answer(
        _(
            "In a few words: what motivates the trainee? The supervisor reads this. "
            "For example: <i>Wants to coach young children</i>. Type - to skip."
        )
    )


async def got_motivation(message: Message, state: FSMContext, db: AsyncSession) -> None:
    text = (message.text or "").strip()
    motivation = None if text in ("", "-") else text[:500]
    draft = replace(await PlacementDraft.load(state), motivation=motivation)
    if draft.org is None or draft.trainee is None or draft.supervisor is None:
        await state.clear()  # state of an older version
        await _gone(message)
        return
    await draft.save(state)
    await state.set_state(Placing.confirm)
    org = await hours.get_organisation(db, draft.org)
    await message.answer(
        _("Place {trainee} at {place} with {supervisor}?").format(
            trainee=await name_of(db, draft.trainee),
            place=html.quote(org.name if org else "-"),
            supervisor=await name_of(db, draft.supervisor),
        ),
        reply_markup=inline_choices(
            [(_("Place"), HoursCb(action=HoursAction.PLACE_CONFIRM).pack())]
        ),
    )


async def place(
    query: CallbackQuery, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    draft = await PlacementDraft.load(state)
    await state.clear()
    if draft.trainee is not None and not await _offered(
        db, member, draft, trainee=draft.trainee, supervisor=draft.supervisor
    ):  # the organisation, trainee or supervisor changed since they were chosen
        await stale_button(query)
        return
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    now = clock.now()
    org = await hours.get_organisation(db, draft.org) if draft.org is not None else None
    if org is None or draft.trainee is None or draft.supervisor is None:
        await _gone(query.message)
        return
    placement = await hours.add_placement(
        db,
        programme_id=org.programme_id,
        person_id=draft.trainee,
        organisation_id=org.id,
        supervisor_id=draft.supervisor,
        track=draft.track,
        motivation=draft.motivation,
        created_by=member.person.id,
        now=now,
    )
    trainee = await name_of(db, placement.person_id)
    supervisor = await name_of(db, placement.supervisor_id)
    place_name = html.quote(org.name)
    await notify.to_person(
        db,
        draft.supervisor,
        notify.message_payload(
            _(
                "Meet your new trainee: {trainee}.\nTrack: {track}\nMotivation: {motivation}\n\n"
                "{trainee} will contact you at {place}. When {trainee} logs practice hours, "
                "you get a message here to confirm them."
            ).format(
                trainee=trainee,
                track=track_text(placement.track),
                motivation=html.quote(placement.motivation or "-"),
                place=place_name,
            )
        ),
        key=keys.placement(placement.id, "supervisor"),
        now=now,
    )
    await notify.to_person(
        db,
        placement.person_id,
        notify.message_payload(
            _(
                "You have a practice place: {place}. Your supervisor is {supervisor}.\n\n"
                "Introduce yourself and agree when you start. "
                "Log your hours afterwards with /uren."
            ).format(place=place_name, supervisor=supervisor)
        ),
        key=keys.placement(placement.id, "trainee"),
        now=now,
    )
    await query.message.answer(
        _("Done: {trainee} is placed at {place}. Both got a message.").format(
            trainee=trainee, place=place_name
        )
    )


async def _gone(message: Message) -> None:
    await message.answer(_("This organisation does not exist (any more)."))


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap one of the buttons above, or type /cancel to stop."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text."))
