"""The signup flow's questions: its states, its buttons and asking one question a message.

Shared by the flow (`signup.py`) and its summary and submit step (`submit.py`).
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.features.signup.conversations import steps
from bot.features.signup.labels import CHOICES, SKIP
from bot.kit.keyboards import inline_choices


class SignupFlow(StatesGroup):
    intro = State()
    asking = State()
    summary = State()


class SignupCb(CallbackData, prefix="su"):
    action: str
    step: str = ""
    value: str = ""


def keyboard(step: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    choices = [
        (str(text), SignupCb(action="a", step=step, value=value).pack())
        for value, text in CHOICES.get(step, ())
    ]
    if step == "last_name":
        choices.append((_("Skip"), SignupCb(action="a", step=step, value=SKIP).pack()))
    if step != steps.active_steps(data)[0]:
        choices.append((_("« Back"), SignupCb(action="back", step=step).pack()))
    return inline_choices(choices, columns=2 if len(choices) > 3 else 1)


async def ask(event: Message | CallbackQuery, state: FSMContext, step: str) -> None:
    data = await state.get_data()
    data["step"] = step
    await state.update_data(step=step)
    active = steps.active_steps(data)
    number = active.index(step) + 1
    header = _("<b>Question {n} of {total}</b>").format(n=number, total=len(active))
    text = f"{header}\n{steps.question(step, data)}"
    target = event if isinstance(event, Message) else event.message
    if isinstance(event, CallbackQuery):
        assert event.bot is not None
        await event.bot.send_message(event.from_user.id, text, reply_markup=keyboard(step, data))
    elif target is not None:
        await target.answer(text, reply_markup=keyboard(step, data))
