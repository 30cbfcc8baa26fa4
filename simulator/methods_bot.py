"""Bot API methods about the bot itself: updates, webhooks, callbacks, commands, files."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from simulator.messages import chat_or_error
from simulator.methods import method
from simulator.spec import ApiError, bad_request
from simulator.state import BotState

CALLBACK_TTL = 15.0
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@method("getMe")
async def get_me(bot: BotState, p: dict[str, Any]) -> Any:
    return bot.me()


@method("logOut")
@method("close")
async def close(bot: BotState, p: dict[str, Any]) -> Any:
    return True


@method("getUpdates")
async def get_updates(bot: BotState, p: dict[str, Any]) -> Any:
    if bot.webhook_url:
        raise ApiError(409, WEBHOOK_CONFLICT)
    if "allowed_updates" in p:
        bot.allowed_updates = list(p["allowed_updates"])
    if p.get("offset"):
        bot.confirm_updates(p["offset"])
    limit = min(max(p.get("limit", 100), 1), 100)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(p.get("timeout", 0), 0)
    while True:
        if bot.webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if bot.updates:
            return bot.updates[:limit]
        remaining = deadline - loop.time()
        if remaining <= 0 or bot.world.closing.is_set():
            return []
        await bot.updates_signal.wait(remaining, bot.world.closing)


@method("setWebhook")
async def set_webhook(bot: BotState, p: dict[str, Any]) -> Any:
    url = p["url"]
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.get("drop_pending_updates"):
        bot.updates.clear()
    if "allowed_updates" in p:
        bot.allowed_updates = list(p["allowed_updates"])
    bot.webhook_url = url
    bot.webhook_secret = secret if url else None
    bot.webhook_error = None
    bot.updates_signal.notify()
    if url and bot.world.on_webhook_set is not None:
        bot.world.on_webhook_set(bot)
    return True


@method("deleteWebhook")
async def delete_webhook(bot: BotState, p: dict[str, Any]) -> Any:
    bot.webhook_url = ""
    bot.webhook_secret = None
    if p.get("drop_pending_updates"):
        bot.updates.clear()
    bot.updates_signal.notify()
    return True


@method("getWebhookInfo")
async def get_webhook_info(bot: BotState, p: dict[str, Any]) -> Any:
    info: dict[str, Any] = {
        "url": bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if bot.webhook_url:
        info["max_connections"] = 40
    if bot.allowed_updates:
        info["allowed_updates"] = bot.allowed_updates
    if bot.webhook_error:
        info["last_error_date"], info["last_error_message"] = bot.webhook_error
    return info


@method("answerCallbackQuery")
async def answer_callback_query(bot: BotState, p: dict[str, Any]) -> Any:
    query = bot.callbacks.get(p["callback_query_id"])
    now = time.monotonic()
    if query is None or query.answered_at is not None or now - query.created > CALLBACK_TTL:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(p.get("text", "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered_at = now
    query.answer = {
        "text": p.get("text"),
        "show_alert": bool(p.get("show_alert", False)),
        "url": p.get("url"),
        "answered_at": time.time(),
    }
    chat = bot.chat(query.user_id)
    if chat is not None:
        bot.add_event(chat, "callback_answer", callback_query_id=query.id, **query.answer)
    return True


@method("sendChatAction")
async def send_chat_action(bot: BotState, p: dict[str, Any]) -> Any:
    chat = chat_or_error(bot, p["chat_id"])
    if p["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    bot.add_event(chat, "chat_action", action=p["action"])
    return True


def scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


@method("setMyCommands")
async def set_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    commands = p["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    for cmd in commands:
        if not _COMMAND_RE.match(cmd["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(cmd["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = (scope_key(p.get("scope")), p.get("language_code", ""))
    bot.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
async def get_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    return bot.commands.get((scope_key(p.get("scope")), p.get("language_code", "")), [])


@method("deleteMyCommands")
async def delete_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    bot.commands.pop((scope_key(p.get("scope")), p.get("language_code", "")), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(bot: BotState, p: dict[str, Any]) -> Any:
    bot.menu_buttons[p.get("chat_id")] = p.get("menu_button") or {"type": "default"}
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(bot: BotState, p: dict[str, Any]) -> Any:
    button = bot.menu_buttons.get(p.get("chat_id")) or bot.menu_buttons.get(None)
    return button or {"type": "commands"}


@method("getFile")
async def get_file(bot: BotState, p: dict[str, Any]) -> Any:
    file = bot.files.get(p["file_id"])
    if file is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.content),
        "file_path": file.file_path,
    }
