"""/opvolgen: the coordinator's follow-up list, and marking someone "benaderd" with a note.

```mermaid
stateDiagram-v2
    [*] --> list: /opvolgen or the digest's follow-up button
    list --> noting: "Benaderd: <name>"
    noting --> noting: not text or too long (explained)
    noting --> [*]: the note, or "Zonder notitie" (contact recorded)
    noting --> [*]: /cancel
```

The flow's state is a `FollowUpData` (`load`/`save`): which follow-up entry is being noted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.nazorg.callbacks import FollowUpAction, FollowUpChoice
from bot.features.nazorg.texts import day_text, step_name
from bot.kit.callbacks import stale_button
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people
from storage.nazorg import queries as nazorg

SHOWN = 15
MAX_NOTE = 500


class FollowUpNote(StatesGroup):
    noting = State()


@dataclass(frozen=True)
class FollowUpData:
    """What the flow keeps between the tap on a name and the note."""

    nudge_id: int = 0
    """The follow-up entry (`NazorgNudge.id`) being marked; 0 when unknown."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FollowUpData:
        """Tolerant of state saved by an older version: missing or odd values get the default."""
        nudge_id = data.get("nudge_id")
        if isinstance(nudge_id, str) and nudge_id.isascii() and nudge_id.isdigit():
            nudge_id = int(nudge_id)
        if not isinstance(nudge_id, int) or isinstance(nudge_id, bool) or nudge_id < 0:
            nudge_id = 0
        return cls(nudge_id=nudge_id)


async def load(state: FSMContext) -> FollowUpData:
    return FollowUpData.from_mapping(await state.get_data())


async def save(state: FSMContext, data: FollowUpData) -> None:
    await state.update_data(asdict(data))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.COORDINATOR))
    router.callback_query.filter(HasRole(Role.COORDINATOR))
    router.message.register(list_command, Command("opvolgen"))
    router.callback_query.register(choose, FollowUpAction.filter(F.action == FollowUpChoice.DONE))
    router.callback_query.register(
        without_note, FollowUpNote.noting, FollowUpAction.filter(F.action == FollowUpChoice.SKIP)
    )
    router.message.register(note, FollowUpNote.noting, F.text)
    router.message.register(not_text, FollowUpNote.noting)
    return router


async def show_list(bot: Bot, chat_id: int, db: AsyncSession, member: people.Member) -> None:
    entries = await nazorg.follow_up_list(db, member.programme_id, limit=SHOWN + 1)
    if not entries:
        await bot.send_message(chat_id, _("Nobody is on the follow-up list. Well done!"))
        return
    lines = [_("<b>Approach personally</b> (no answer to two nudges):"), ""]
    buttons = []
    for entry in entries[:SHOWN]:
        history = ", ".join(f"{step_name(step)} {day_text(at)}" for step, at, _w in entry.history)
        lines.append(f"• <b>{html.quote(entry.name)}</b>: {history}")
        buttons.append(
            (
                _("Approached: {name}").format(name=entry.name[:30]),
                FollowUpAction(action=FollowUpChoice.DONE, nudge_id=entry.nudge_id).pack(),
            )
        )
    if len(entries) > SHOWN:
        lines.append(_("… and more: mark these first."))
    lines += ["", _("Tap a name when you have approached the person.")]
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=inline_choices(buttons))


async def list_command(message: Message, db: AsyncSession, member: people.Member) -> None:
    assert message.bot is not None
    await show_list(message.bot, message.chat.id, db, member)


async def choose(
    query: CallbackQuery,
    callback_data: FollowUpAction,
    state: FSMContext,
    db: AsyncSession,
    member: people.Member,
) -> None:
    nudge = await nazorg.get_follow_up(db, callback_data.nudge_id)
    if nudge is None or not member.may(nudge.programme_id, Role.COORDINATOR):
        await stale_button(query)
        return
    await state.set_state(FollowUpNote.noting)
    await save(state, FollowUpData(nudge_id=callback_data.nudge_id))
    await query.answer()
    assert query.bot is not None
    await query.bot.send_message(
        query.from_user.id,
        _(
            "What did you agree? Type a short note, for example: <i>Called, helps at the "
            "sports day in May.</i>"
        ),
        reply_markup=inline_choices(
            [(_("Without a note"), FollowUpAction(action=FollowUpChoice.SKIP).pack())]
        ),
    )


async def _save(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
    text: str | None,
) -> None:
    data = await load(state)
    await state.clear()
    nudge = await nazorg.mark_contacted(
        db, data.nudge_id, member.programme_id, member.person.id, text, clock.now()
    )
    if nudge is None:
        await bot.send_message(chat_id, _("I cannot find this person on the list anymore."))
        return
    await bot.send_message(
        chat_id, _("Saved: approached. See the rest of the list with /opvolgen.")
    )


async def note(
    message: Message, state: FSMContext, db: AsyncSession, clock: Clock, member: people.Member
) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_NOTE:
        await message.answer(_("That is too long: at most {max} characters.").format(max=MAX_NOTE))
        return
    assert message.bot is not None
    await _save(message.bot, message.chat.id, state, db, clock, member, text)


async def without_note(
    query: CallbackQuery, state: FSMContext, db: AsyncSession, clock: Clock, member: people.Member
) -> None:
    await query.answer()
    assert query.bot is not None
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    await _save(query.bot, query.from_user.id, state, db, clock, member, None)


async def not_text(message: Message) -> None:
    await message.answer(_("Please type the note as text, or tap <b>Without a note</b>."))
