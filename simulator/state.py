"""In-memory state of the emulated Telegram world: users, bots, chats, messages, updates."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.limits import FaultInjector, FloodControl

DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
FIRST_USER_ID = 10_000_001


class Signal:
    """A re-armable broadcast: ``notify()`` wakes every current waiter."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float, closing: asyncio.Event) -> None:
        if seconds <= 0 or closing.is_set():
            return
        event = self._event
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(closing.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiters:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "nl"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data

    def chat_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


@dataclass
class StoredMessage:
    data: dict[str, Any]  # Bot API Message JSON, current state
    from_bot: bool
    markup: dict[str, Any] | None = None  # reply_markup as sent, any kind
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answered_at: float | None = None
    answer: dict[str, Any] | None = None


@dataclass
class Chat:
    user: User
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    reply_keyboard: dict[str, Any] | None = None


class BotState:
    """Everything Telegram keeps for one bot token."""

    def __init__(self, world: World, token: str, username: str, first_name: str) -> None:
        self.world = world
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates_signal = Signal()
        self.flood = FloodControl(**world.flood_settings)
        self.webhook_log: list[dict[str, Any]] = []

    def me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def chat(self, chat_id: int) -> Chat | None:
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.world.users:
            chat = self.chats[chat_id] = Chat(self.world.users[chat_id])
        return chat

    def add_event(self, chat: Chat, kind: str, **data: Any) -> dict[str, Any]:
        event = {"seq": self.world.next_seq(), "type": kind, "time": time.time(), **data}
        chat.events.append(event)
        self.world.changed.notify()
        return event

    def push_update(self, kind: str, payload: dict[str, Any]) -> int | None:
        allowed = self.allowed_updates
        if allowed:
            if kind not in allowed:
                return None
        elif kind in DEFAULT_EXCLUDED_UPDATES:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.updates_signal.notify()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]


class World:
    """Users and bots shared by the Bot API and the control API (one per emulator)."""

    def __init__(
        self,
        default_token: str,
        bot_username: str,
        bot_first_name: str,
        flood_settings: dict[str, Any],
    ) -> None:
        self.default_token = default_token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.flood_settings = dict(flood_settings)
        self.initial_flood_settings = dict(flood_settings)
        self.users: dict[int, User] = {}
        self.bots: dict[str, BotState] = {}
        self.next_user_id = FIRST_USER_ID
        self.seq = 0
        self.changed = Signal()
        self.calls: list[dict[str, Any]] = []
        self.faults = FaultInjector()
        self.closing = asyncio.Event()
        self.on_webhook_set: Callable[[BotState], None] | None = None

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def bot(self, token: str | None = None) -> BotState:
        token = token or self.default_token
        bot = self.bots.get(token)
        if bot is None:
            name = self.bot_username
            if token != self.default_token:
                name = f"{self.bot_username.removesuffix('_bot')}_{token.split(':')[0]}_bot"
            bot = self.bots[token] = BotState(self, token, name, self.bot_first_name)
        return bot

    def create_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "nl",
    ) -> User:
        user = User(self.next_user_id, first_name, last_name, username, language_code)
        self.users[user.id] = user
        self.next_user_id += 1
        return user

    def set_limits(self, **settings: Any) -> dict[str, Any]:
        self.flood_settings.update({k: v for k, v in settings.items() if v is not None})
        for bot in self.bots.values():
            bot.flood.configure(**self.flood_settings)
        return dict(self.flood_settings)

    def record_call(self, entry: dict[str, Any]) -> None:
        entry["id"] = len(self.calls) + 1
        self.calls.append(entry)

    def reset(self) -> None:
        for bot in self.bots.values():
            bot.webhook_url = ""
            bot.updates_signal.notify()
        self.flood_settings = dict(self.initial_flood_settings)
        self.users.clear()
        self.bots.clear()
        self.next_user_id = FIRST_USER_ID
        self.calls.clear()
        self.faults.clear()
        self.changed.notify()
