"""Handler registry and the message methods (send/edit/delete) of the Bot API."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from simulator.messages import (
    chat_or_error,
    document_json,
    inline_only,
    new_message,
    parse_body,
    photo_json,
    reply_target,
    snapshot,
    store_file,
    validate_markup,
)
from simulator.spec import ApiError, bad_request
from simulator.state import BotState, Chat, StoredMessage

Handler = Callable[[BotState, dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def method(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[name.lower()] = func
        return func

    return register


def flood(bot: BotState, chat: Chat) -> None:
    retry_after = bot.flood.check(chat.user.id)
    if retry_after is not None:
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )


@method("sendMessage")
async def send_message(bot: BotState, p: dict[str, Any]) -> Any:
    chat = chat_or_error(bot, p["chat_id"])
    text, entities = parse_body(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    validate_markup(p.get("reply_markup"))
    reply_to = reply_target(bot, chat, p)
    flood(bot, chat)
    content = {"text": text, "entities": entities}
    msg = new_message(
        bot, chat, from_bot=True, content=content, markup=p.get("reply_markup"), reply_to=reply_to
    )
    return msg.data


async def _send_file(bot: BotState, p: dict[str, Any], kind: str) -> Any:
    chat = chat_or_error(bot, p["chat_id"])
    caption, entities = parse_body(
        p.get("caption", ""), p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    validate_markup(p.get("reply_markup"))
    reply_to = reply_target(bot, chat, p)
    flood(bot, chat)
    if kind == "photo":
        file = store_file(bot, p["photo"], "photo.jpg", "image/jpeg")
        content: dict[str, Any] = {"photo": photo_json(file)}
    else:
        file = store_file(bot, p["document"], "document", "application/octet-stream")
        content = {"document": document_json(file)}
    content.update({"caption": caption or None, "caption_entities": entities})
    msg = new_message(
        bot, chat, from_bot=True, content=content, markup=p.get("reply_markup"), reply_to=reply_to
    )
    return msg.data


@method("sendDocument")
async def send_document(bot: BotState, p: dict[str, Any]) -> Any:
    return await _send_file(bot, p, "document")


@method("sendPhoto")
async def send_photo(bot: BotState, p: dict[str, Any]) -> Any:
    return await _send_file(bot, p, "photo")


def _editable(bot: BotState, p: dict[str, Any]) -> tuple[Chat, StoredMessage]:
    if p.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    if p.get("chat_id") is None or p.get("message_id") is None:
        raise bad_request('parameter "chat_id" and "message_id" are required')
    chat = chat_or_error(bot, p["chat_id"])
    msg = chat.messages.get(p["message_id"])
    if msg is None or msg.deleted:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _apply_edit(
    bot: BotState, chat: Chat, msg: StoredMessage, changes: dict[str, Any], markup: Any
) -> Any:
    current = {k: msg.data.get(k) for k in changes} | {"markup": inline_only(msg.markup)}
    wanted = dict(changes) | {"markup": inline_only(markup)}
    if current == wanted:
        raise bad_request(NOT_MODIFIED)
    flood(bot, chat)
    before = snapshot(msg)
    before.pop("raw", None)
    msg.history.append(before)
    for key, value in changes.items():
        if value in (None, []):
            msg.data.pop(key, None)
        else:
            msg.data[key] = value
    msg.markup = markup
    msg.data.pop("reply_markup", None)
    if inline_only(markup):
        msg.data["reply_markup"] = inline_only(markup)
    msg.data["edit_date"] = int(time.time())
    bot.add_event(chat, "edit", message_id=msg.message_id, message=snapshot(msg))
    return msg.data


@method("editMessageText")
async def edit_message_text(bot: BotState, p: dict[str, Any]) -> Any:
    chat, msg = _editable(bot, p)
    if "text" not in msg.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = parse_body(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    validate_markup(p.get("reply_markup"))
    changes = {"text": text, "entities": entities or None}
    return _apply_edit(bot, chat, msg, changes, p.get("reply_markup"))


@method("editMessageCaption")
async def edit_message_caption(bot: BotState, p: dict[str, Any]) -> Any:
    chat, msg = _editable(bot, p)
    caption, entities = parse_body(
        p.get("caption", ""), p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    validate_markup(p.get("reply_markup"))
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _apply_edit(bot, chat, msg, changes, p.get("reply_markup"))


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(bot: BotState, p: dict[str, Any]) -> Any:
    chat, msg = _editable(bot, p)
    validate_markup(p.get("reply_markup"))
    return _apply_edit(bot, chat, msg, {}, p.get("reply_markup"))


@method("deleteMessage")
async def delete_message(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.chat(p["chat_id"]) if isinstance(p["chat_id"], int) else None
    if chat is None:
        raise bad_request("chat not found")
    msg = chat.messages.get(p["message_id"])
    if msg is None or msg.deleted:
        raise bad_request("message to delete not found")
    msg.deleted = True
    bot.add_event(chat, "delete", message_id=msg.message_id)
    return True
