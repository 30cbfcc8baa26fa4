"""Privacy rights, self-service: /mijngegevens (see everything) and /verwijderen (delete).

Both work from the one inventory of personal data (`storage.privacy`), so they cover every
table. /mijngegevens shows the main data and a count per kind of data, and sends all of it as
a JSON document. Deleting anonymises: name, date of birth, postcode, chat ids, free text and the
messages to and about the person go; what the programme counts (track, gender, school type,
heard-from, age at signup, outcomes, hours, attendance) stays without a link to the person.
"""

from __future__ import annotations

import json

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup.callbacks import DeleteChoice, DeleteDataCb
from bot.features.signup.labels import STATUS, label
from bot.kit.clock import Clock
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people, privacy
from storage.signup import privacy as signup_privacy

SHOWN_IN_FULL = frozenset({"person", "channels", "signups", "groups"})
"""Sections of the document shown line by line; the others are counted."""

SECTIONS: dict[str, LazyProxy] = {
    "roles": __("Roles"),
    "messages": __("Messages we sent you"),
    "conversation": __("A conversation that is not finished"),
    "questions": __("Questions you asked"),
    "consents": __("Permissions"),
    "consent_links": __("Links for permission"),
    "groups_led": __("Groups you lead"),
    "session_answers": __("Answers to reminders"),
    "attendance": __("Attendance"),
    "certificates": __("Certificates"),
    "placements": __("Places at an organisation"),
    "hours": __("Practice hours"),
    "hours_changes": __("Changes to your hours"),
    "activities": __("Activities"),
    "proposal_messages": __("Messages about your proposals"),
    "helper_requests": __("Requests for helpers"),
    "opportunities": __("Opportunities you joined"),
    "opportunity_settings": __("Your settings for opportunities"),
    "broadcasts": __("Opportunities you sent around"),
    "opportunity_messages": __("Opportunities sent to you"),
    "nudges": __("Messages when you were quiet"),
    "nudge_answers": __("Your answers to those messages"),
    "nudge_settings": __("Your settings for those messages"),
}
"""The name of each counted section of /mijngegevens (its key when a new one has none)."""


def section_name(section: str) -> str:
    return str(SECTIONS.get(section, section))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(my_data, Command("mijngegevens"))
    router.message.register(ask_delete, Command("verwijderen"))
    router.callback_query.register(delete, DeleteDataCb.filter())
    return router


async def my_data(
    message: Message,
    db: AsyncSession,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    if member is None:
        await message.answer(
            _("We have not stored anything about you."), reply_markup=registry.main_menu(roles)
        )
        return
    data = await privacy.export_person(db, member.person.id)
    person = data["person"]
    lines = [
        _("<b>What we store about you</b>"),
        _("Name: {name}").format(
            name=html.quote(
                " ".join(p for p in (person["first_name"], person["last_name"]) if p) or "-"
            )
        ),
        _("Date of birth: {value}").format(value=person["birth_date"] or "-"),
        _("Postcode: {value}").format(value=person["postcode"] or "-"),
        _("Telegram: {value}").format(
            value=", ".join(
                html.quote(c["display_name"] or c["external_id"]) for c in data["channels"]
            )
            or "-"
        ),
    ]
    for signup in data["signups"]:
        lines.append(
            _("Signup: {status}; track {track}; wants to organise: {motivation}").format(
                status=STATUS.get(signup["status"], signup["status"]),
                track=label("track", signup["track"]),
                motivation=html.quote(signup["motivation"] or "-"),
            )
        )
        if signup["parent_name"]:
            lines.append(
                _("Parent or guardian: {name}, {contact}").format(
                    name=html.quote(signup["parent_name"]),
                    contact=html.quote(signup["parent_contact"] or ""),
                )
            )
    for group in data["groups"]:
        lines.append(
            _("Group: {group} ({status})").format(
                group=html.quote(group["cohort"] or "-"), status=group["status"]
            )
        )
    counted = [
        _("{what}: {count}").format(what=section_name(section), count=len(rows))
        for section, rows in data.items()
        if section not in SHOWN_IN_FULL and rows
    ]
    if counted:
        lines.append(_("Also stored:"))
        lines.extend(f"- {line}" for line in counted)
    lines.append(_("The attached file has everything, also the dates. To delete it: /verwijderen"))
    # long: split into several messages where no tag is open (bot.app.outgoing), never cut
    await message.answer("\n".join(lines), reply_markup=registry.main_menu(roles))
    document = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.answer_document(
        BufferedInputFile(document, filename="mijngegevens.json"),
        caption=_("Everything we store about you (JSON)."),
    )


async def ask_delete(
    message: Message, member: people.Member | None, roles: frozenset[Role], registry: Registry
) -> None:
    if member is None:
        await message.answer(
            _("We have not stored anything about you."), reply_markup=registry.main_menu(roles)
        )
        return
    await message.answer(
        _(
            "Do you want us to delete your data? Your name, date of birth, postcode, answers "
            "and chat details are deleted, and your signup or place in a group stops. We only "
            "keep anonymous counts. This cannot be undone."
        ),
        reply_markup=inline_choices(
            [
                (_("Yes, delete my data"), DeleteDataCb(action=DeleteChoice.DELETE).pack()),
                (_("No, keep it"), DeleteDataCb(action=DeleteChoice.KEEP).pack()),
            ],
            columns=2,
        ),
    )


async def delete(
    query: CallbackQuery,
    callback_data: DeleteDataCb,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    assert query.bot is not None
    if callback_data.action == DeleteChoice.KEEP or member is None:
        await query.bot.send_message(query.from_user.id, _("OK, nothing is deleted."))
        return
    await state.clear()
    await signup_privacy.anonymise_person(db, member.person.id, clock.now())
    await query.bot.send_message(
        query.from_user.id,
        _("Your data is deleted. Thank you for your interest in Citytrainers. Goodbye!"),
        reply_markup=ReplyKeyboardRemove(),
    )
