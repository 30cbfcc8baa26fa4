"""Private chats only: in a group the bot stores nothing, says nothing personal, hints once.

The emulator has private chats only, so group updates are built by hand and fed to the real
dispatcher of the running bot, with a bot whose session records what it would send.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Update,
    User,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.middlewares.callbacks import RecordCallbackAnswers
from bot.features.signup.callbacks import FlowAction, SignupFlowCb
from bot.handlers.groups import hint_key
from bot.kit.clock import ManualClock
from simulator.client import EmulatorClient
from storage import migrate, people
from storage.db import create_session_factory
from storage.models import ChannelIdentity, FsmRecord, OutboxMessage, Person, Programme
from tests.conftest import TOKEN, BotHarness
from tests.e2e.helpers import eventually

BOT_USERNAME = "citytrainers_test_bot"
GROUP = Chat(id=-1001234567890, type="supergroup", title="Buurtsport Noord")
SMALL_GROUP = Chat(id=-4242, type="group", title="Voetbal")
KEES = User(id=4_000_000_001, is_bot=False, first_name="Kees")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
_ids = itertools.count(900_000_001)


class RecordingSession(BaseSession):
    """A Bot API that answers like Telegram would and remembers every call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        self.calls.append(method)
        if isinstance(method, GetMe):
            return User(id=bot.id, is_bot=True, first_name="Citytrainers", username=BOT_USERNAME)
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="supergroup")
            return Message(message_id=next(_ids), date=T0, chat=chat, text=method.text)
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""  # pragma: no cover

    async def close(self) -> None:
        pass

    def sent(self) -> list[TelegramMethod[Any]]:
        """Every call except asking who the bot is."""
        return [c for c in self.calls if not isinstance(c, GetMe)]


@pytest.fixture
async def group_bot() -> AsyncIterator[tuple[Bot, RecordingSession]]:
    session = RecordingSession()
    session.middleware(RecordCallbackAnswers())
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    yield bot, session
    await bot.session.close()


def _message(chat: Chat, user: User, text: str) -> Update:
    entities = None
    if text.startswith("/"):
        length = len(text.split()[0])
        entities = [MessageEntity(type="bot_command", offset=0, length=length)]
    message = Message(
        message_id=next(_ids), date=T0, chat=chat, from_user=user, text=text, entities=entities
    )
    return Update(update_id=next(_ids), message=message)


def _tap(chat: Chat, user: User, data: str) -> Update:
    shown = Message(
        message_id=next(_ids),
        date=T0,
        chat=chat,
        from_user=User(id=123456789, is_bot=True, first_name="Citytrainers"),
        text="Kies hieronder",
    )
    query = CallbackQuery(
        id=str(next(_ids)), from_user=user, chat_instance="group", data=data, message=shown
    )
    return Update(update_id=next(_ids), callback_query=query)


def _membership(chat: Chat, user: User, *, joined: bool) -> Update:
    me = User(id=123456789, is_bot=True, first_name="Citytrainers", username=BOT_USERNAME)
    left, member = ChatMemberLeft(user=me), ChatMemberMember(user=me)
    event = ChatMemberUpdated(
        chat=chat,
        from_user=user,
        date=T0,
        old_chat_member=left if joined else member,
        new_chat_member=member if joined else left,
    )
    return Update(update_id=next(_ids), my_chat_member=event)


async def _count(harness: BotHarness, model: type, *where: Any) -> int:
    async with harness.app.sessions() as session:
        query = select(func.count()).select_from(model)
        return int(await session.scalar(query.where(*where) if where else query) or 0)


async def _hints(harness: BotHarness, chat: Chat) -> list[OutboxMessage]:
    async with harness.app.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == str(chat.id))
        )
        return list(rows)


async def test_a_group_gets_nothing_personal_and_one_hint(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    group_bot: tuple[Bot, RecordingSession],
) -> None:
    await harness.start(clock=manual_clock)
    sanne = await emu.create_user("Sanne", last_name="Jansen")
    await sanne.send("/start")
    assert "Hoi Sanne!" in (await sanne.expect_message()).text
    await eventually(lambda: _count(harness, Person), lambda n: n == 1)
    sanne_user = User(id=sanne.id, is_bot=False, first_name="Sanne", last_name="Jansen")

    bot, api = group_bot
    feed = harness.app.dispatcher.feed_update
    start_button = SignupFlowCb(action=FlowAction.START).pack()
    for who in (sanne_user, KEES):
        for update in (
            _message(GROUP, who, "/start"),
            _message(GROUP, who, f"/start@{BOT_USERNAME}"),
            _message(GROUP, who, "/mijngegevens"),
            _message(GROUP, who, "/aanmelden"),
            _message(GROUP, who, "/vraag"),
            _message(GROUP, who, "Ik ben Kees en ik woon op de Dorpsstraat 1"),
            _tap(GROUP, who, start_button),
        ):
            await feed(bot, update)

    # nothing was sent into the group directly, and nothing about anyone
    sent = api.sent()
    assert sent and all(type(c).__name__ == "AnswerCallbackQuery" for c in sent), sent
    for call in sent:
        assert "privé" in str(call.text) and call.show_alert  # type: ignore[attr-defined]
    # the group never became anyone's chat, nobody new was stored, no conversation started
    assert await _count(harness, Person) == 1
    assert await _count(harness, ChannelIdentity, ChannelIdentity.chat_id == str(GROUP.id)) == 0
    assert await _count(harness, FsmRecord, FsmRecord.state.is_not(None)) == 0
    # exactly one hint for the group, with the link to the private chat and no names
    hints = await _hints(harness, GROUP)
    assert [h.idempotency_key for h in hints] == [hint_key(GROUP.id)]
    text = hints[0].payload["text"]
    assert "Praat privé met me" in text and f"https://t.me/{BOT_USERNAME}" in text
    assert "Sanne" not in str(hints[0].payload) and "Kees" not in str(hints[0].payload)
    assert hints[0].person_id is None
    button = hints[0].payload["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Praat privé met me", "url": f"https://t.me/{BOT_USERNAME}"}

    # Sanne's own private chat still works as before
    await sanne.send("/help")
    assert "Dit kun je hier doen" in (await sanne.expect_message()).text


async def test_the_hint_comes_once_per_chat_also_after_a_restart(
    harness: BotHarness,
    manual_clock: ManualClock,
    group_bot: tuple[Bot, RecordingSession],
) -> None:
    await harness.start(clock=manual_clock)
    bot, _ = group_bot
    await harness.app.dispatcher.feed_update(bot, _message(GROUP, KEES, "/start"))
    await harness.app.dispatcher.feed_update(bot, _message(GROUP, KEES, "/help"))
    assert len(await _hints(harness, GROUP)) == 1
    await harness.restart()
    manual_clock.advance(dt.timedelta(days=30))
    await harness.app.dispatcher.feed_update(bot, _message(GROUP, KEES, "/start"))
    assert len(await _hints(harness, GROUP)) == 1
    # another chat gets its own hint: here because the bot was added to it
    await harness.app.dispatcher.feed_update(bot, _membership(SMALL_GROUP, KEES, joined=True))
    await harness.app.dispatcher.feed_update(bot, _message(SMALL_GROUP, KEES, "/start"))
    assert [h.idempotency_key for h in await _hints(harness, SMALL_GROUP)] == [
        hint_key(SMALL_GROUP.id)
    ]
    assert await _count(harness, Person) == 0


async def test_leaving_a_group_does_not_make_a_person_unreachable(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    group_bot: tuple[Bot, RecordingSession],
) -> None:
    await harness.start(clock=manual_clock)
    fleur = await emu.create_user("Fleur")
    await fleur.send("/start")
    await fleur.expect_message()
    await eventually(lambda: _count(harness, Person), lambda n: n == 1)
    fleur_user = User(id=fleur.id, is_bot=False, first_name="Fleur")
    bot, api = group_bot
    # Fleur adds the bot to her group and removes it again
    await harness.app.dispatcher.feed_update(bot, _membership(GROUP, fleur_user, joined=True))
    await harness.app.dispatcher.feed_update(bot, _membership(GROUP, fleur_user, joined=False))
    reachable = ChannelIdentity.reachable.is_(True)
    assert await _count(harness, ChannelIdentity, reachable) == 1
    assert len(await _hints(harness, GROUP)) == 1
    assert api.sent() == []


async def test_a_post_in_a_group_does_not_make_a_blocked_person_reachable(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    group_bot: tuple[Bot, RecordingSession],
) -> None:
    await harness.start(clock=manual_clock)
    fleur = await emu.create_user("Fleur")
    await fleur.send("/start")
    await fleur.expect_message()
    await eventually(lambda: _count(harness, Person), lambda n: n == 1)
    async with harness.app.sessions.begin() as session:
        identity = await session.scalar(select(ChannelIdentity))
        assert identity is not None
        identity.reachable = False  # she blocked the bot
    bot, _api = group_bot
    fleur_user = User(id=fleur.id, is_bot=False, first_name="Fleur")
    await harness.app.dispatcher.feed_update(bot, _message(GROUP, fleur_user, "hoi allemaal"))
    assert await _count(harness, ChannelIdentity, ChannelIdentity.reachable.is_(True)) == 0


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        await people.ensure_programme(session, "Utrecht", "Europe/Amsterdam", T0)
    yield factory


@pytest.mark.parametrize(
    ("external_id", "chat_id"),
    [("5", "-1001234567890"), ("5", "-5"), ("5", "6"), ("-5", "-5"), ("", "")],
)
async def test_storage_refuses_any_chat_but_the_persons_own(
    sessions: async_sessionmaker[AsyncSession], external_id: str, chat_id: str
) -> None:
    async with sessions.begin() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        with pytest.raises(people.NotAPrivateChat):
            await people.create_member(
                session,
                programme_id=programme.id,
                channel=people.TELEGRAM,
                external_id=external_id,
                chat_id=chat_id,
                display_name="Kees",
                first_name="Kees",
                now=T0,
            )
        if external_id.lstrip("-").isdigit() and chat_id.lstrip("-").isdigit():
            with pytest.raises(people.NotAPrivateChat):
                await people.ensure_telegram_member(
                    session,
                    user_id=int(external_id),
                    chat_id=int(chat_id),
                    first_name="Kees",
                    display_name="Kees",
                    now=T0,
                )
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
        assert await session.scalar(select(func.count()).select_from(ChannelIdentity)) == 0


async def test_storage_keeps_the_private_chat(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        member = await people.ensure_telegram_member(
            session, user_id=5, chat_id=5, first_name="Kees", display_name="Kees", now=T0
        )
        assert member.identity.chat_id == "5"
