"""Building, validating and rendering messages the way Telegram does."""

from __future__ import annotations

import hashlib
import secrets
import struct
import time
from typing import Any

from simulator.spec import ApiError, UploadedFile, bad_request
from simulator.state import BotState, Chat, StoredFile, StoredMessage
from simulator.telegram_html import parse_text, utf16_len

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100


def chat_or_error(bot: BotState, chat_id: Any) -> Chat:
    """Resolve ``chat_id`` (id or @username) to a private chat; 400/403 like Telegram."""
    chat: Chat | None = None
    if isinstance(chat_id, int):
        chat = bot.chat(chat_id)
    elif isinstance(chat_id, str) and chat_id.startswith("@"):
        for user in bot.world.users.values():
            if user.username and user.username.lower() == chat_id[1:].lower():
                chat = bot.chat(user.id)
    if chat is None:
        raise bad_request("chat not found")
    if chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def validate_markup(markup: dict[str, Any] | None) -> None:
    if not markup:
        return
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if sum(len(r) for r in rows) > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                _validate_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if sum(len(r) for r in rows) > 300:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not text:
                    raise bad_request("BUTTON_TEXT_EMPTY")


def _validate_inline_button(button: dict[str, Any]) -> None:
    if not button.get("text"):
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [k for k in INLINE_ACTIONS if k in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("BUTTON_URL_INVALID")


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of reply_markup that Telegram echoes inside Message objects."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def parse_body(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    plain, ents = parse_text(text, parse_mode, entities)
    if caption:
        if utf16_len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif not plain.strip():
        raise bad_request("message text is empty")
    elif utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, ents


def bot_sender(bot: BotState) -> dict[str, Any]:
    return {
        "id": bot.bot_id,
        "is_bot": True,
        "first_name": bot.first_name,
        "username": bot.username,
    }


def reply_target(bot: BotState, chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
    rp = params.get("reply_parameters") or {}
    message_id = rp.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    if target is None or target.deleted:
        allow = rp.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        if allow:
            return None
        raise bad_request("message to be replied not found")
    original = dict(target.data)
    original.pop("reply_to_message", None)
    return original


def new_message(
    bot: BotState,
    chat: Chat,
    *,
    from_bot: bool,
    content: dict[str, Any],
    markup: dict[str, Any] | None = None,
    reply_to: dict[str, Any] | None = None,
) -> StoredMessage:
    data: dict[str, Any] = {
        "message_id": chat.next_message_id,
        "from": bot_sender(bot) if from_bot else chat.user.to_api(),
        "chat": chat.user.chat_api(),
        "date": int(time.time()),
    }
    chat.next_message_id += 1
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    data.update({k: v for k, v in content.items() if v not in (None, [])})
    inline = inline_only(markup) if from_bot else None
    if inline:
        data["reply_markup"] = inline
    msg = StoredMessage(data=data, from_bot=from_bot, markup=markup)
    chat.messages[msg.message_id] = msg
    if from_bot and markup:
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
    bot.add_event(chat, "message", message_id=msg.message_id, sender="bot" if from_bot else "user")
    return msg


def store_file(
    bot: BotState, upload: UploadedFile | str, default_name: str, default_mime: str
) -> StoredFile:
    if isinstance(upload, str):
        for file in bot.files.values():
            if upload in (file.file_id,):
                return file
        if upload.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")
    content = upload.content
    unique = "AgAD" + hashlib.sha256(content).hexdigest()[:16]
    file_id = f"BQACAgQAAxk{secrets.token_hex(12)}"
    mime = upload.content_type
    if not mime or mime == "application/octet-stream":
        mime = default_mime
    name = upload.filename or default_name
    file = StoredFile(file_id, unique, content, name, mime, f"documents/{file_id}_{name}")
    bot.files[file_id] = file
    return file


def document_json(file: StoredFile) -> dict[str, Any]:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_name": file.file_name,
        "mime_type": file.mime_type,
        "file_size": len(file.content),
    }


def image_size(content: bytes) -> tuple[int, int]:
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 320, 240


def photo_json(file: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(file.content)
    return [
        {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(file.content),
        }
    ]


def snapshot(msg: StoredMessage) -> dict[str, Any]:
    """A flat, client-friendly view of a message's current state."""
    data = msg.data
    kind = next(
        (k for k in ("document", "photo", "sticker", "voice") if k in data),
        "text",
    )
    file_id = None
    if kind == "photo":
        file_id = data["photo"][-1]["file_id"]
    elif kind != "text":
        file_id = data[kind]["file_id"]
    view: dict[str, Any] = {
        "message_id": msg.message_id,
        "sender": "bot" if msg.from_bot else "user",
        "kind": kind,
        "text": data.get("text", data.get("caption")),
        "entities": data.get("entities", data.get("caption_entities", [])),
        "reply_markup": msg.markup,
        "reply_to_message_id": (data.get("reply_to_message") or {}).get("message_id"),
        "date": data["date"],
        "edit_date": data.get("edit_date"),
        "deleted": msg.deleted,
        "raw": data,
    }
    if file_id:
        doc = data.get("document") or {}
        view["file"] = {
            "file_id": file_id,
            "file_name": doc.get("file_name"),
            "mime_type": doc.get("mime_type"),
            "file_size": (doc or (data.get("photo") or [{}])[-1]).get("file_size"),
            "download_url": f"/_emulator/files/{file_id}",
        }
    return view
