"""Coordinators register organisations (ervaringsplekken) and invite supervisors.

```mermaid
stateDiagram-v2
    [*] --> list: /organisatie
    list --> name: "New organisation"
    name --> kind: a name (2-120 characters)
    kind --> area: sport / culture / welfare
    area --> contact: the neighbourhood (or "-")
    contact --> [*]: the contact (or "-"); saved, with an invite button
    list --> [*]: "Invite supervisor" (a single-use link, valid 7 days)
    list --> placing: "Place a trainee" (conversations.placement)
```
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours.callbacks import HoursAction, HoursCb
from bot.features.hours.conversations.state import OrganisationDraft
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.hours.places import OrganisationKind, pick
from domain.roles import Role
from storage import people
from storage.hours import queries as hours

KINDS = tuple(OrganisationKind)
"""In the order of the buttons (a button carries the index)."""


class NewOrganisation(StatesGroup):
    name = State()
    kind = State()
    area = State()
    contact = State()


def kind_text(kind: OrganisationKind | str) -> str:
    texts: dict[str, str] = {
        OrganisationKind.SPORT: _("sport"),
        OrganisationKind.CULTURE: _("culture"),
        OrganisationKind.WELFARE: _("welfare"),
    }
    return texts.get(kind, kind)


def create_router() -> Router:
    router = Router(name=__name__)
    coordinator = HasRole(Role.COORDINATOR)
    router.message.register(show_list, Command("organisatie"), coordinator)
    router.callback_query.register(
        begin_new, HoursCb.filter(F.action == HoursAction.ORGANISATION_NEW), coordinator
    )
    router.message.register(got_name, NewOrganisation.name, F.text)
    router.callback_query.register(
        got_kind, NewOrganisation.kind, HoursCb.filter(F.action == HoursAction.ORGANISATION_KIND)
    )
    router.message.register(use_buttons, NewOrganisation.kind)
    router.message.register(got_area, NewOrganisation.area, F.text)
    router.message.register(got_contact, NewOrganisation.contact, F.text)
    router.message.register(not_text, NewOrganisation.name)
    router.message.register(not_text, NewOrganisation.area)
    router.message.register(not_text, NewOrganisation.contact)
    router.callback_query.register(
        invite, HoursCb.filter(F.action == HoursAction.ORGANISATION_INVITE), coordinator
    )
    return router


async def show_list(message: Message, db: AsyncSession, member: people.Member) -> None:
    orgs = await hours.organisations(db, member.programme_id)
    choices = [(_("New organisation"), HoursCb(action=HoursAction.ORGANISATION_NEW).pack())]
    lines = []
    for org in orgs:
        count = len(await hours.supervisor_ids(db, org.id))
        lines.append(
            _("• {name} ({kind}): {count} supervisor(s)").format(
                name=html.quote(org.name), kind=kind_text(org.kind), count=count
            )
        )
        choices.append(
            (
                _("Invite supervisor: {name}").format(name=org.name),
                HoursCb(action=HoursAction.ORGANISATION_INVITE, value=org.id).pack(),
            )
        )
        choices.append(
            (
                _("Place trainee: {name}").format(name=org.name),
                HoursCb(action=HoursAction.ORGANISATION_PLACE, value=org.id).pack(),
            )
        )
    if lines:
        text = _("Organisations:\n{lines}").format(lines="\n".join(lines))
    else:
        text = _("There are no organisations yet. Add the first one.")
    await message.answer(text, reply_markup=inline_choices(choices))


async def begin_new(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(NewOrganisation.name)
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.answer(
        _("What is the name of the organisation? For example: <i>Voetbalclub Rosmalen</i>")
    )


async def got_name(message: Message, state: FSMContext) -> None:
    name = (message.text or "").strip()
    if not 2 <= len(name) <= 120:
        await message.answer(_("Type a name of 2 to 120 characters."))
        return
    await replace(await OrganisationDraft.load(state), name=name).save(state)
    await state.set_state(NewOrganisation.kind)
    await message.answer(
        _("What kind of organisation is it?"),
        reply_markup=inline_choices(
            [
                (kind_text(k), HoursCb(action=HoursAction.ORGANISATION_KIND, value=i).pack())
                for i, k in enumerate(KINDS)
            ],
            columns=3,
        ),
    )


async def got_kind(query: CallbackQuery, callback_data: HoursCb, state: FSMContext) -> None:
    kind = pick(KINDS, callback_data.value)
    await replace(await OrganisationDraft.load(state), kind=kind).save(state)
    await state.set_state(NewOrganisation.area)
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(
        _("In which neighbourhood is it? For example: <i>Rosmalen-Noord</i>. Type - to skip.")
    )


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap one of the buttons above."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text."))


def _optional(text: str | None, limit: int) -> str | None:
    value = (text or "").strip()
    return None if value in ("", "-") else value[:limit]


async def got_area(message: Message, state: FSMContext) -> None:
    area = _optional(message.text, 80)
    await replace(await OrganisationDraft.load(state), area=area).save(state)
    await state.set_state(NewOrganisation.contact)
    await message.answer(
        _(
            "Who is the contact, and how to reach them? For example: <i>Ans, 06-12345678</i>. "
            "Type - to skip."
        )
    )


async def got_contact(
    message: Message, state: FSMContext, db: AsyncSession, member: people.Member, clock: Clock
) -> None:
    draft = await OrganisationDraft.load(state)
    if draft.name is None or draft.kind is None:  # state of an older version: ask again
        await state.set_state(NewOrganisation.name)
        await message.answer(
            _("What is the name of the organisation? For example: <i>Voetbalclub Rosmalen</i>")
        )
        return
    org = await hours.add_organisation(
        db,
        member.programme_id,
        name=draft.name,
        kind=draft.kind,
        neighbourhood=draft.area,
        contact=_optional(message.text, 200),
        now=clock.now(),
    )
    await state.clear()
    await message.answer(
        _("Saved: {name}. Now invite a supervisor of this organisation.").format(
            name=html.quote(org.name)
        ),
        reply_markup=inline_choices(
            [
                (
                    _("Invite supervisor"),
                    HoursCb(action=HoursAction.ORGANISATION_INVITE, value=org.id).pack(),
                )
            ]
        ),
    )


async def invite(
    query: CallbackQuery,
    callback_data: HoursCb,
    db: AsyncSession,
    member: people.Member,
    clock: Clock,
    bot: Bot,
) -> None:
    org = await hours.get_organisation(db, callback_data.value)
    if org is None or not member.may(org.programme_id, Role.COORDINATOR):
        await query.answer(_("This organisation does not exist (any more)."), show_alert=True)
        return
    payload = await hours.create_invite(db, org, member.person.id, clock.now())
    me = await bot.me()
    await query.answer()
    assert isinstance(query.message, Message)  # not an old, inaccessible one
    await query.message.answer(
        _(
            "Send this link to the supervisor of {name}. It works once and for 7 days:\n\n{link}"
        ).format(name=html.quote(org.name), link=f"https://t.me/{me.username}?start={payload}")
    )
