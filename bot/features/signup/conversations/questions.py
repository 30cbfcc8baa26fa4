"""The signup flow's questions: its states, its buttons and asking one question a message.

Shared by the flow (`signup.py`) and its summary and submit step (`submit.py`).
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.features.signup.callbacks import FlowAction, SignupFlowCb
from bot.features.signup.conversations import steps
from bot.features.signup.conversations.state import SignupData, load_signup, save_signup
from bot.features.signup.labels import CHOICES, SKIP, Step
from bot.kit.keyboards import inline_choices


class SignupFlow(StatesGroup):
    intro = State()
    asking = State()
    summary = State()


def keyboard(step: Step, data: SignupData) -> InlineKeyboardMarkup:
    choices = [
        (str(text), SignupFlowCb(action=FlowAction.ANSWER, step=step, value=value).pack())
        for value, text in CHOICES.get(step, ())
    ]
    if step == Step.LAST_NAME:
        choices.append(
            (_("Skip"), SignupFlowCb(action=FlowAction.ANSWER, step=step, value=SKIP).pack())
        )
    if step != data.active_steps()[0]:
        choices.append((_("« Back"), SignupFlowCb(action=FlowAction.BACK, step=step).pack()))
    return inline_choices(choices, columns=2 if len(choices) > 3 else 1)


async def ask(event: Message | CallbackQuery, state: FSMContext, step: Step) -> None:
    data = await load_signup(state)
    data.step = step
    await save_signup(state, data)
    active = data.active_steps()
    number = active.index(step) + 1
    header = _("<b>Question {n} of {total}</b>").format(n=number, total=len(active))
    text = f"{header}\n{steps.question(step, data.answers)}"
    target = event if isinstance(event, Message) else event.message
    if isinstance(event, CallbackQuery):
        assert event.bot is not None
        await event.bot.send_message(event.from_user.id, text, reply_markup=keyboard(step, data))
    elif target is not None:
        await target.answer(text, reply_markup=keyboard(step, data))
