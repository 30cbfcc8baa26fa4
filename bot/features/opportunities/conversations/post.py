"""A coordinator posts an opportunity (/kans), previews it and publishes it (a broadcast).

```mermaid
stateDiagram-v2
    [*] --> asking: /kans (coordinators only)
    asking --> asking: next question (title, organisation, what, when, place, hours, places,
    asking --> asking: track, for whom, minimum age, neighbourhoods, deadline); bad input explained
    asking --> preview: the last answer
    preview --> [*]: "Publish" (saved; broadcast through the outbox; progress message)
    preview --> [*]: "Stop" or /cancel
```
The broadcast goes to matching Citytrainers (and trainees for practice opportunities) who can
be reached and did not switch opportunity messages off; see storage.opportunities.recipients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.opportunities.broadcast import progress_text
from bot.features.opportunities.callbacks import PostAction, PostCallback, PostChoice
from bot.features.opportunities.conversations.state import (
    NONE,
    AnswerName,
    PostData,
    load_post,
    save_post,
)
from bot.features.opportunities.texts import card, offer_buttons
from bot.kit import notify
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.hours.amounts import parse_hours
from domain.local_time import AMSTERDAM, local_to_utc
from domain.opportunities.input import MomentError, parse_count, parse_moment, parse_neighbourhoods
from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus
from domain.roles import Role
from storage import people
from storage.models import OutboxStatus
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity


class PostOpportunity(StatesGroup):
    asking = State()
    preview = State()


@dataclass(frozen=True)
class Step:
    name: AnswerName
    prompt: Callable[[], str]
    parse: Callable[[str, dt.datetime], Any]  # the value, or an Error
    choices: Callable[[], list[tuple[str, PostChoice]]] = lambda: []


class Error(str):
    """A Dutch explanation of bad input."""


def _text(low: int, high: int) -> Callable[[str, dt.datetime], Any]:
    def parse(text: str, _now: dt.datetime) -> Any:
        text = text.strip()
        if len(text) < low:
            return Error(_("That is a bit short. Try again in a few words."))
        if len(text) > high:
            return Error(_("That is too long: at most {max} characters.").format(max=high))
        return text

    return parse


def _moment(text: str, now: dt.datetime, *, deadline: bool = False) -> Any:
    word = text.strip().lower()
    if word in ("doorlopend", "ongoing") and not deadline:
        return NONE
    if word in ("geen", "none", NONE) and deadline:
        return NONE
    today = now.astimezone(AMSTERDAM).date()
    local = parse_moment(text, today, dt.time(23, 59) if deadline else dt.time(10, 0))
    if local is MomentError.IN_PAST:
        return Error(_("That date has passed. Type a date from today on."))
    if isinstance(local, MomentError):
        return Error(_("I cannot read that date. Type it like <i>12-04-2026 14:00</i>."))
    moment = local_to_utc(local, AMSTERDAM)
    if not isinstance(moment, dt.datetime) or moment <= now:
        return Error(_("That moment has passed or does not exist. Type another time."))
    return moment.isoformat()


def _hours(text: str, _now: dt.datetime) -> Any:
    minutes = parse_hours(text)
    if isinstance(minutes, str):
        return Error(_("Type the hours as a number, for example <i>3</i> or <i>2,5</i>."))
    return minutes


def _count(low: int, high: int, *, none_ok: bool = False) -> Callable[[str, dt.datetime], Any]:
    def parse(text: str, _now: dt.datetime) -> Any:
        if none_ok and text.strip().lower() in ("geen", NONE):
            return NONE
        value = parse_count(text, low, high)
        if value is None:
            return Error(_("Type a whole number from {low} to {high}.").format(low=low, high=high))
        return value

    return parse


def _choice(allowed: tuple[str, ...]) -> Callable[[str, dt.datetime], Any]:
    def parse(text: str, _now: dt.datetime) -> Any:
        return text if text in allowed else Error(_("Please choose one of the buttons."))

    return parse


def _areas(text: str, _now: dt.datetime) -> Any:
    if text.strip().lower() in ("overal", "geen", NONE):
        return NONE
    names = parse_neighbourhoods(text)
    if not names or len(", ".join(names)) > 300:
        return Error(_("Type neighbourhoods separated by commas, for example <i>Noord, West</i>."))
    return ", ".join(names)


STEPS: tuple[Step, ...] = (
    Step("title", lambda: _("What is the title of the opportunity?"), _text(3, 120)),
    Step("organisation", lambda: _("Which organisation is it at?"), _text(2, 120)),
    Step(
        "description",
        lambda: _("What will the Citytrainer do there? Describe it in one message."),
        _text(5, 1500),
    ),
    Step(
        "starts_at",
        lambda: _(
            "When is it? Type a date and time, like <i>12-04-2026 14:00</i>, or tap <b>Ongoing</b>."
        ),
        _moment,
        lambda: [(_("Ongoing"), PostChoice.NONE)],
    ),
    Step("place", lambda: _("Where is it? Type the address or place."), _text(2, 200)),
    Step(
        "minutes",
        lambda: _("How many hours does it take? For example <i>3</i> or <i>2,5</i>."),
        _hours,
    ),
    Step("places", lambda: _("How many places are there? (1 to 500)"), _count(1, 500)),
    Step(
        "track",
        lambda: _("Who does it suit?"),
        _choice((PostChoice.SPORT, PostChoice.CULTURE, PostChoice.BOTH)),
        lambda: [
            (_("Sport"), PostChoice.SPORT),
            (_("Culture"), PostChoice.CULTURE),
            (_("Both"), PostChoice.BOTH),
        ],
    ),
    Step(
        "for_trainees",
        lambda: _("Is it also a practice place for participants still in the course?"),
        _choice((PostChoice.YES, PostChoice.NO)),
        lambda: [
            (_("Yes, also participants"), PostChoice.YES),
            (_("No, Citytrainers only"), PostChoice.NO),
        ],
    ),
    Step(
        "min_age",
        lambda: _("Is there a minimum age? Type the age, or tap <b>No minimum</b>."),
        _count(10, 99, none_ok=True),
        lambda: [(_("No minimum"), PostChoice.NONE)],
    ),
    Step(
        "neighbourhoods",
        lambda: _(
            "Only for some neighbourhoods? Type them separated by commas, or tap <b>Everywhere</b>."
        ),
        _areas,
        lambda: [(_("Everywhere"), PostChoice.NONE)],
    ),
    Step(
        "deadline",
        lambda: _(
            "Until when can people sign up? Type a date, like <i>10-04-2026</i>, "
            "or tap <b>No deadline</b>."
        ),
        lambda text, now: _moment(text, now, deadline=True),
        lambda: [(_("No deadline"), PostChoice.NONE)],
    ),
)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("kans"))
    router.message.register(receive, PostOpportunity.asking, F.text)
    router.message.register(not_text, PostOpportunity.asking)
    button = PostCallback.filter
    router.callback_query.register(
        pick, PostOpportunity.asking, button(F.action == PostAction.PICK)
    )
    router.message.register(use_buttons, PostOpportunity.preview)
    router.callback_query.register(
        publish, PostOpportunity.preview, button(F.action == PostAction.PUBLISH)
    )
    router.callback_query.register(
        stop, PostOpportunity.preview, button(F.action == PostAction.STOP)
    )
    return router


async def ask(target: Message, index: int, intro: str = "") -> None:
    step = STEPS[index]
    choices = [
        (label, PostCallback(action=PostAction.PICK, step=index, choice=value).pack())
        for label, value in step.choices()
    ]
    markup = inline_choices(choices, columns=3) if choices else None
    await target.answer(
        (intro + "\n\n" if intro else "")
        + _("Question {n} of {total}: {prompt}").format(
            n=index + 1, total=len(STEPS), prompt=step.prompt()
        ),
        reply_markup=markup,
    )


async def begin(message: Message, state: FSMContext, roles: frozenset[Role]) -> None:
    if Role.COORDINATOR not in roles:
        await message.answer(_("Only coordinators can post opportunities. Look at /kansen."))
        return
    await state.set_state(PostOpportunity.asking)
    await save_post(state, PostData())
    await ask(message, 0, _("Let's post an opportunity. Changed your mind? Type /cancel."))


async def receive(message: Message, state: FSMContext, clock: Clock) -> None:
    await take(message, state, clock, message.text or "")


async def pick(
    query: CallbackQuery, callback_data: PostCallback, state: FSMContext, clock: Clock
) -> None:
    data = await load_post(state)
    if callback_data.step != data.step:
        await query.answer(_("That question was already answered."))
        return
    await query.answer()
    if isinstance(query.message, Message):
        choice = callback_data.choice
        await take(query.message, state, clock, choice.value if choice is not None else "")


async def take(target: Message, state: FSMContext, clock: Clock, text: str) -> None:
    data = await load_post(state)
    index = data.step
    value = STEPS[index].parse(text, clock.now())
    if isinstance(value, Error):
        await target.answer(str(value))
        return
    data = data.answered(STEPS[index].name, value)
    await save_post(state, data)
    if index + 1 < len(STEPS):
        await ask(target, index + 1)
        return
    await state.set_state(PostOpportunity.preview)
    preview = card(build(data, 0, None, clock.now()), full=True)
    await target.answer(
        _("This is how people will see it:\n\n{card}\n\nPublish and send it?").format(card=preview),
        reply_markup=inline_choices(
            [
                (_("Publish"), PostCallback(action=PostAction.PUBLISH).pack()),
                (_("Stop"), PostCallback(action=PostAction.STOP).pack()),
            ],
            columns=2,
        ),
    )


class IncompleteDraft(ValueError):
    """Publishing with unanswered questions (state saved by another version, or damaged)."""


def _moment_of(value: str | None) -> dt.datetime | None:
    return None if value in (None, NONE) else dt.datetime.fromisoformat(str(value))


def build(data: PostData, programme_id: int, author: int | None, now: dt.datetime) -> Opportunity:
    """The opportunity from all the answers; IncompleteDraft when one is missing."""
    if data.missing():
        raise IncompleteDraft(", ".join(data.missing()))
    min_age = data.min_age
    return Opportunity(
        programme_id=programme_id,
        title=data.title or "",
        organisation_name=data.organisation,
        description=data.description,
        starts_at=_moment_of(data.starts_at),
        place=data.place,
        minutes=data.minutes or 0,
        places=data.places or 0,
        places_taken=0,
        track=Track(str(data.track)),
        for_trainees=data.for_trainees == PostChoice.YES,
        min_age=None if min_age == NONE or min_age is None else int(min_age),
        neighbourhoods=None if data.neighbourhoods == NONE else data.neighbourhoods,
        deadline=_moment_of(data.deadline),
        status=OpportunityStatus.OPEN,
        created_by=author,
        created_at=now,
        published_at=now,
    )


async def not_text(message: Message) -> None:
    await message.answer(_("Please type your answer as text, or tap a button."))


async def use_buttons(message: Message) -> None:
    await message.answer(_("Tap <b>Publish</b> or <b>Stop</b> under the preview."))


async def publish(
    query: CallbackQuery,
    state: FSMContext,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    await query.answer()
    if member is None or not isinstance(query.message, Message):
        return
    data = await load_post(state)
    await state.clear()
    now = clock.now()
    opp = build(data, member.programme_id, member.person.id, now)
    opp.organisation_id = await opportunities.find_organisation_id(
        db, member.programme_id, opp.organisation_name or ""
    )
    db.add(opp)
    await db.flush()
    payload = notify.one_message_payload(card(opp), offer_buttons(opp.id))
    broadcast = await opportunities.start_broadcast(
        db,
        opp,
        requested_by=member.person.id,
        chat_id=str(query.message.chat.id),
        payload=payload,
        now=now,
    )
    if broadcast.total == 0:
        opportunities.finish_broadcast(broadcast, now)
        await query.message.answer(
            _("Published: {title}. Nobody matches it right now; it is listed in /kansen.").format(
                title=html.quote(opp.title)
            )
        )
        return
    sent = await query.message.answer(
        progress_text(opp.title, broadcast.total, {OutboxStatus.PENDING: broadcast.total})
    )
    broadcast.progress_message_id = sent.message_id


async def stop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Stopped. Nothing was published."))
