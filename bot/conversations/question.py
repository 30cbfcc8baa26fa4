"""Ask the coordinators a question (/vraag), and their answer by replying.

```mermaid
stateDiagram-v2
    [*] --> typing: /vraag or the "Ask a question" button
    typing --> typing: not text, too short or too long (explained)
    typing --> confirming: the question (5-1000 characters)
    confirming --> typing: "Change"
    confirming --> [*]: "Send" (saved; coordinators notified through the outbox)
    typing --> [*]: /cancel
    confirming --> [*]: /cancel
```
A coordinator answers by replying to the bot's message; the answer reaches the person
through the outbox (see bot.handlers.replies). An answer that would not fit in one message with
the question is refused at once, with the number of characters that do fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import notify, texts
from bot.kit.clock import Clock
from bot.kit.commands import CommandSpec
from bot.kit.feature import Feature, MenuItem, Registry
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people, questions
from storage.refs import key, ref

MENU_QUESTION = __("Ask a question")
MIN_LENGTH, MAX_LENGTH = 5, 1000


class AskQuestion(StatesGroup):
    typing = State()
    confirming = State()


class QuestionChoice(StrEnum):
    SEND = "send"
    CHANGE = "change"


class QuestionAction(CallbackData, prefix="q"):
    action: QuestionChoice


@dataclass(frozen=True)
class QuestionDraft:
    """The flow's state: the question typed so far (state saved by older versions loads too)."""

    question: str = ""

    @classmethod
    async def load(cls, state: FSMContext) -> QuestionDraft:
        value = (await state.get_data()).get("question")
        return cls(question=value if isinstance(value, str) else "")

    async def save(self, state: FSMContext) -> None:
        await state.update_data(question=self.question)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("vraag"))
    router.message.register(begin, F.text == MENU_QUESTION)
    router.message.register(receive, AskQuestion.typing, F.text)
    router.message.register(not_text, AskQuestion.typing)
    router.message.register(use_buttons, AskQuestion.confirming)
    router.callback_query.register(
        send, AskQuestion.confirming, QuestionAction.filter(F.action == QuestionChoice.SEND)
    )
    router.callback_query.register(
        change, AskQuestion.confirming, QuestionAction.filter(F.action == QuestionChoice.CHANGE)
    )
    router.callback_query.register(stale, QuestionAction.filter(), StateFilter(None))
    return router


async def begin(message: Message, state: FSMContext) -> None:
    await state.set_state(AskQuestion.typing)
    await message.answer(
        _(
            "What is your question for the coordinator? Type it in one message.\n"
            "For example: <i>When does the next course start?</i>\n\n"
            "Changed your mind? Type /cancel."
        )
    )


async def receive(message: Message, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if len(text) < MIN_LENGTH:
        await message.answer(_("That is a bit short. Type your question in a few words."))
        return
    if len(text) > MAX_LENGTH:
        await message.answer(
            _("That is too long: at most {max} characters. Try to say it shorter.").format(
                max=MAX_LENGTH
            )
        )
        return
    await QuestionDraft(question=text).save(state)
    await state.set_state(AskQuestion.confirming)
    await message.answer(
        _("Your question:\n\n{question}\n\nShall I send it to the coordinator?").format(
            question=html.quote(text)
        ),
        reply_markup=inline_choices(
            [
                (_("Send"), QuestionAction(action=QuestionChoice.SEND).pack()),
                (_("Change"), QuestionAction(action=QuestionChoice.CHANGE).pack()),
            ],
            columns=2,
        ),
    )


async def not_text(message: Message) -> None:
    await message.answer(
        _("Please type your question as text. For example: <i>Where is the first meeting?</i>")
    )


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap <b>Send</b> or <b>Change</b> under your question."))


async def send(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    roles: frozenset[Role],
    registry: Registry,
) -> None:
    user = query.from_user
    text = (await QuestionDraft.load(state)).question
    now = clock.now()
    member = member or await people.ensure_telegram_member(
        db,
        user_id=user.id,
        chat_id=user.id,
        first_name=user.first_name,
        display_name=user.full_name,
        now=now,
    )
    question = await questions.add_question(db, member.programme_id, member.person.id, text, now)
    name = html.quote(member.person.first_name or user.first_name)
    reached = await notify.to_coordinators(
        db,
        member.programme_id,
        notify.message_payload(
            _(
                "Question #{id} from {name}:\n\n{question}\n\n"
                "Reply to this message to answer; your answer goes to {name}."
            ).format(id=question.id, name=name, question=html.quote(text))
        ),
        key=key("question", question.id),
        now=now,
        ref=ref("question", question.id),
    )
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    if reached:
        reply = _("Sent! The coordinator will answer you here in the chat.")
    else:
        reply = _(
            "Your question is saved, but no coordinator can be reached right now. "
            "We will pass it on as soon as possible."
        )
    await query.bot.send_message(user.id, reply, reply_markup=registry.main_menu(roles))  # type: ignore[union-attr]


async def change(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AskQuestion.typing)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id, _("OK. Type your question again.")
    )


async def stale(query: CallbackQuery) -> None:
    await query.answer(
        _("This question was already sent or stopped. Type /vraag to ask a new one."),
        show_alert=True,
    )


async def answer_by_reply(
    message: Message, db: AsyncSession, clock: Clock, member: people.Member, ident: str
) -> None:
    """A coordinator replied to a question's notification: pass the answer on."""
    if Role.COORDINATOR not in member.roles or not ident.isdigit():
        await message.answer(
            _("I cannot link this reply to anything. Type /help to see what you can do.")
        )
        return
    question = await questions.get_question(db, int(ident))
    if question is not None and not member.may(question.programme_id, Role.COORDINATOR):
        question = None
    if question is None or question.person_id is None:
        await message.answer(_("This question no longer exists (the person deleted their data)."))
        return
    answer = (message.text or "").strip()
    asked = html.quote(question.text or "")

    def render(typed: str) -> str:
        return _("The coordinator answered your question:\n\n<i>{question}</i>\n\n{answer}").format(
            question=asked, answer=html.quote(typed)
        )

    text = render(answer)
    if not texts.fits(text):  # refused now, rather than "on its way" and then lost
        await message.answer(
            _(
                "Your answer is too long: at most {max} characters. Reply to the question "
                "again with a shorter answer."
            ).format(max=texts.room(render("")))
        )
        return
    now = clock.now()
    question.answered_at = now
    question.answered_by = member.person.id
    delivered = await notify.to_person(
        db,
        question.person_id,
        notify.message_payload(text),
        key=key("question", question.id, "answer", message.message_id),
        now=now,
        report_to=member.person.id,
    )
    if delivered:
        await message.answer(
            _("Your answer to question #{id} is on its way.").format(id=question.id)
        )
    else:
        await message.answer(
            _(
                "The person who asked question #{id} cannot be reached (they blocked the bot)."
            ).format(id=question.id)
        )


FEATURE = Feature(
    name="question",
    routers=lambda: [create_router()],
    commands=(CommandSpec("vraag", __("Ask the coordinator a question")),),
    menu=(MenuItem(MENU_QUESTION),),
    replies={"question": answer_by_reply},
)
