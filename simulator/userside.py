"""What a Telegram user can do: send text/media, tap inline buttons, press reply buttons, block."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from simulator.messages import document_json, new_message, photo_json, store_file
from simulator.spec import UploadedFile
from simulator.state import BotState, CallbackQuery, Chat, StoredMessage, User

# 1x1 transparent PNG used for photos sent by test users
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


class UserActionError(Exception):
    """A user action that a real Telegram client would not allow (answered with HTTP 400)."""


def _chat(bot: BotState, user: User) -> Chat:
    chat = bot.chat(user.id)
    assert chat is not None
    return chat


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(word.encode("utf-16-le")) // 2}]


def _deliver(bot: BotState, chat: Chat, msg: StoredMessage) -> int | None:
    if chat.blocked:
        set_blocked(bot, chat.user, blocked=False)
    return bot.push_update("message", msg.data)


def send_text(
    bot: BotState, user: User, text: str, reply_to_message_id: int | None = None
) -> tuple[StoredMessage, int | None]:
    if not text:
        raise UserActionError("text must not be empty")
    chat = _chat(bot, user)
    reply_to = None
    if reply_to_message_id is not None:
        target = chat.messages.get(reply_to_message_id)
        if target is None or target.deleted:
            raise UserActionError(f"message {reply_to_message_id} not found in this chat")
        reply_to = {k: v for k, v in target.data.items() if k != "reply_to_message"}
    content = {"text": text, "entities": _command_entities(text)}
    msg = new_message(bot, chat, from_bot=False, content=content, reply_to=reply_to)
    return msg, _deliver(bot, chat, msg)


def _find_button(msg: StoredMessage, text: str | None, callback_data: str | None) -> dict[str, Any]:
    rows: list[list[dict[str, Any]]] = (msg.markup or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            if callback_data is not None and button.get("callback_data") == callback_data:
                return button
            if callback_data is None and button.get("text") == text:
                return button
    labels = [b.get("text") for row in rows for b in row]
    wanted = f"callback_data={callback_data!r}" if callback_data is not None else repr(text)
    raise UserActionError(f"no inline button {wanted} on message {msg.message_id}; has {labels}")


def tap(
    bot: BotState,
    user: User,
    message_id: int,
    text: str | None = None,
    callback_data: str | None = None,
) -> tuple[CallbackQuery, int | None]:
    chat = _chat(bot, user)
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted or not msg.from_bot:
        raise UserActionError(f"bot message {message_id} not found in this chat")
    button = _find_button(msg, text, callback_data)
    if "callback_data" not in button:
        raise UserActionError(f"button {button.get('text')!r} has no callback_data")
    query = CallbackQuery(
        id=str(secrets.randbits(62)),
        user_id=user.id,
        message_id=message_id,
        data=button["callback_data"],
        created=time.monotonic(),
    )
    bot.callbacks[query.id] = query
    payload = {
        "id": query.id,
        "from": user.to_api(),
        "message": msg.data,
        "chat_instance": str(abs(hash((bot.bot_id, user.id))) % 10**18),
        "data": query.data,
    }
    bot.add_event(
        chat,
        "callback_query",
        callback_query_id=query.id,
        message_id=message_id,
        data=query.data,
        button=button.get("text"),
    )
    if chat.blocked:
        set_blocked(bot, user, blocked=False)
    return query, bot.push_update("callback_query", payload)


def press(bot: BotState, user: User, text: str) -> tuple[StoredMessage, int | None]:
    chat = _chat(bot, user)
    keyboard = chat.reply_keyboard
    labels = [
        b if isinstance(b, str) else b.get("text")
        for row in (keyboard or {}).get("keyboard", [])
        for b in row
    ]
    if text not in labels:
        raise UserActionError(f"no reply keyboard button {text!r}; current keyboard: {labels}")
    if keyboard and keyboard.get("one_time_keyboard"):
        chat.reply_keyboard = None
    return send_text(bot, user, text)


def send_media(
    bot: BotState,
    user: User,
    kind: str,
    caption: str | None = None,
    file_name: str | None = None,
    content: bytes | None = None,
) -> tuple[StoredMessage, int | None]:
    chat = _chat(bot, user)
    defaults = {
        "sticker": ("sticker.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBP"),
        "photo": ("photo.png", "image/png", TINY_PNG),
        "document": ("document.pdf", "application/pdf", b"%PDF-1.4\n%test\n"),
        "voice": ("voice.ogg", "audio/ogg", b"OggS\x00test"),
    }
    if kind not in defaults:
        raise UserActionError(f"unknown media kind {kind!r}; use one of {sorted(defaults)}")
    name, mime, data = defaults[kind]
    upload = UploadedFile(file_name or name, content if content is not None else data, mime)
    file = store_file(bot, upload, name, mime)
    base = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
    body: dict[str, Any]
    if kind == "sticker":
        body = {
            "sticker": base
            | {"type": "regular", "width": 512, "height": 512, "is_animated": False}
            | {"is_video": False, "emoji": "👍", "file_size": len(file.content)}
        }
    elif kind == "photo":
        body = {"photo": photo_json(file)}
    elif kind == "document":
        body = {"document": document_json(file)}
    else:
        body = {"voice": base | {"duration": 1, "mime_type": mime, "file_size": len(file.content)}}
    if caption and kind != "sticker":
        body["caption"] = caption
    msg = new_message(bot, chat, from_bot=False, content=body)
    return msg, _deliver(bot, chat, msg)


def set_blocked(bot: BotState, user: User, *, blocked: bool) -> None:
    chat = _chat(bot, user)
    if chat.blocked == blocked:
        return
    chat.blocked = blocked
    member = {"user": bot.me() | {"is_bot": True}}
    old = member | ({"status": "member"} if blocked else {"status": "kicked", "until_date": 0})
    new = member | ({"status": "kicked", "until_date": 0} if blocked else {"status": "member"})
    bot.add_event(chat, "blocked" if blocked else "unblocked")
    bot.push_update(
        "my_chat_member",
        {
            "chat": user.chat_api(),
            "from": user.to_api(),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        },
    )
