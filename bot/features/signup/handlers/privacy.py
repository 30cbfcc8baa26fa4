"""Privacy rights, self-service: /mijngegevens (see everything) and /verwijderen (delete).

Deleting anonymises: name, date of birth, postcode, chat ids and free text go; the answers
the programme counts (track, gender, school type, heard-from, age at signup, outcome) stay.
"""

from __future__ import annotations

import json

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup.callbacks import DeleteChoice, DeleteDataCb
from bot.features.signup.labels import STATUS, label
from bot.kit.clock import Clock
from bot.kit.feature import Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people
from storage.signup import privacy as signup_privacy


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
    data = await signup_privacy.export_person(db, member.person.id)
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
            value=", ".join(html.quote(c["name"] or c["id"]) for c in data["channels"]) or "-"
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
                group=html.quote(group["group"]), status=group["status"]
            )
        )
    lines.append(_("The attached file has everything, also the dates. To delete it: /verwijderen"))
    await message.answer("\n".join(lines)[:4000], reply_markup=registry.main_menu(roles))
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
