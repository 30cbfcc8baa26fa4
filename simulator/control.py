"""Control API under ``/_emulator/`` (JSON): drive users, inspect chats, set limits and faults.

Every endpoint takes an optional ``?token=`` query parameter selecting the bot; the default is
the emulator's ``default_token``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from simulator import userside
from simulator.limits import Fault
from simulator.messages import snapshot
from simulator.state import BotState, Chat, User, World

MAX_WAIT = 60.0


def _error(status: int, text: str) -> web.HTTPException:
    exc_cls = web.HTTPNotFound if status == 404 else web.HTTPBadRequest
    return exc_cls(text=json.dumps({"error": text}), content_type="application/json")


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise _error(400, "body must be JSON") from None
    if not isinstance(data, dict):
        raise _error(400, "body must be a JSON object")
    return data


def render_event(chat: Chat, event: dict[str, Any]) -> dict[str, Any]:
    out = dict(event)
    if event["type"] == "message":
        msg = chat.messages[event["message_id"]]
        out["message"] = snapshot(msg) | {"edits": list(msg.history)}
    return out


class ControlApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        p = "/_emulator"
        r.add_get(f"{p}/info", self.info)
        r.add_get(f"{p}/users", self.list_users)
        r.add_post(f"{p}/users", self.create_user)
        r.add_post(f"{p}/users/{{user_id}}/messages", self.user_message)
        r.add_post(f"{p}/users/{{user_id}}/tap", self.user_tap)
        r.add_post(f"{p}/users/{{user_id}}/press", self.user_press)
        r.add_post(f"{p}/users/{{user_id}}/media", self.user_media)
        r.add_post(f"{p}/users/{{user_id}}/block", self.user_block)
        r.add_post(f"{p}/users/{{user_id}}/unblock", self.user_unblock)
        r.add_get(f"{p}/chats/{{chat_id}}/transcript", self.transcript)
        r.add_get(f"{p}/chats/{{chat_id}}/events", self.events)
        r.add_get(f"{p}/callbacks/{{callback_id}}", self.callback)
        r.add_get(f"{p}/files/{{file_id}}", self.file)
        r.add_get(f"{p}/limits", self.get_limits)
        r.add_post(f"{p}/limits", self.set_limits)
        r.add_get(f"{p}/faults", self.get_faults)
        r.add_post(f"{p}/faults", self.add_fault)
        r.add_delete(f"{p}/faults", self.clear_faults)
        r.add_get(f"{p}/calls", self.calls)
        r.add_get(f"{p}/commands", self.commands)
        r.add_get(f"{p}/webhook", self.webhook)
        r.add_post(f"{p}/reset", self.reset)

    # -- helpers ---------------------------------------------------------
    def _bot(self, request: web.Request) -> BotState:
        return self.world.bot(request.query.get("token"))

    def _user(self, request: web.Request, key: str = "user_id") -> User:
        try:
            user_id = int(request.match_info[key])
        except ValueError:
            raise _error(400, f"{key} must be an integer") from None
        user = self.world.users.get(user_id)
        if user is None:
            raise _error(404, f"unknown user {user_id}")
        return user

    def _chat(self, request: web.Request) -> tuple[BotState, Chat]:
        bot = self._bot(request)
        chat = bot.chat(self._user(request, "chat_id").id)
        assert chat is not None
        return bot, chat

    @staticmethod
    def _sent(chat: Chat, msg: Any, update_id: int | None) -> web.Response:
        return web.json_response(
            {"message": snapshot(msg), "seq": chat.events[-1]["seq"], "update_id": update_id}
        )

    # -- endpoints ---------------------------------------------------------
    async def info(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        return web.json_response(
            {
                "default_token": self.world.default_token,
                "bot": bot.me(),
                "users": [u.to_api() for u in self.world.users.values()],
                "seq": self.world.seq,
            }
        )

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([u.to_api() for u in self.world.users.values()])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if not isinstance(body.get("first_name"), str) or not body["first_name"]:
            raise _error(400, "first_name is required")
        user = self.world.create_user(
            body["first_name"],
            body.get("last_name"),
            body.get("username"),
            body.get("language_code") or "nl",
        )
        return web.json_response(user.to_api() | {"seq": self.world.seq})

    async def _user_action(self, request: web.Request, action: str) -> web.Response:
        bot, user = self._bot(request), self._user(request)
        body = await _body(request)
        chat = bot.chat(user.id)
        assert chat is not None
        try:
            if action == "message":
                reply_to = body.get("reply_to_message_id")
                msg, upd = userside.send_text(bot, user, str(body.get("text", "")), reply_to)
            elif action == "press":
                msg, upd = userside.press(bot, user, str(body.get("text", "")))
            elif action == "media":
                msg, upd = userside.send_media(
                    bot, user, str(body.get("kind", "")), body.get("caption"), body.get("file_name")
                )
            else:
                query, upd = userside.tap(
                    bot,
                    user,
                    int(body.get("message_id", 0)),
                    body.get("text"),
                    body.get("callback_data"),
                )
                seq = chat.events[-1]["seq"]
                return web.json_response(
                    {"callback_query_id": query.id, "seq": seq, "update_id": upd}
                )
        except userside.UserActionError as exc:
            raise _error(400, str(exc)) from None
        return self._sent(chat, msg, upd)

    async def user_message(self, request: web.Request) -> web.Response:
        return await self._user_action(request, "message")

    async def user_tap(self, request: web.Request) -> web.Response:
        return await self._user_action(request, "tap")

    async def user_press(self, request: web.Request) -> web.Response:
        return await self._user_action(request, "press")

    async def user_media(self, request: web.Request) -> web.Response:
        return await self._user_action(request, "media")

    async def user_block(self, request: web.Request) -> web.Response:
        userside.set_blocked(self._bot(request), self._user(request), blocked=True)
        return web.json_response({"blocked": True, "seq": self.world.seq})

    async def user_unblock(self, request: web.Request) -> web.Response:
        userside.set_blocked(self._bot(request), self._user(request), blocked=False)
        return web.json_response({"blocked": False, "seq": self.world.seq})

    async def transcript(self, request: web.Request) -> web.Response:
        _, chat = self._chat(request)
        return web.json_response(
            {
                "chat_id": chat.user.id,
                "user": chat.user.to_api(),
                "blocked": chat.blocked,
                "reply_keyboard": chat.reply_keyboard,
                "events": [render_event(chat, e) for e in chat.events],
                "last_seq": self.world.seq,
            }
        )

    async def events(self, request: web.Request) -> web.Response:
        _, chat = self._chat(request)
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "0")), MAX_WAIT)
        except ValueError:
            raise _error(400, "after and timeout must be numbers") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            new = [e for e in chat.events if e["seq"] > after]
            remaining = deadline - loop.time()
            if new or remaining <= 0 or self.world.closing.is_set():
                break
            await self.world.changed.wait(remaining, self.world.closing)
        return web.json_response(
            {"events": [render_event(chat, e) for e in new], "last_seq": self.world.seq}
        )

    async def callback(self, request: web.Request) -> web.Response:
        query = self._bot(request).callbacks.get(request.match_info["callback_id"])
        if query is None:
            raise _error(404, "unknown callback query")
        return web.json_response(
            {"id": query.id, "data": query.data, "answered": query.answer is not None}
            | {"answer": query.answer}
        )

    async def file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        for bot in self.world.bots.values():
            file = bot.files.get(file_id)
            if file is not None:
                headers = {"Content-Disposition": f'attachment; filename="{file.file_name}"'}
                return web.Response(body=file.content, content_type=file.mime_type, headers=headers)
        raise _error(404, "unknown file")

    async def get_limits(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.flood_settings)

    async def set_limits(self, request: web.Request) -> web.Response:
        body = await _body(request)
        keys = ("global_per_second", "per_chat_burst", "per_chat_refill_per_second")
        unknown = set(body) - set(keys)
        if unknown:
            raise _error(400, f"unknown limit(s): {sorted(unknown)}")
        return web.json_response(self.world.set_limits(**body))

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response([f.to_json() for f in self.world.faults.faults])

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            fault = Fault(
                method=str(body.get("method", "*")).lower(),
                remaining=int(body.get("count", 1)),
                kind=str(body.get("kind", "error")),
                retry_after=int(body.get("retry_after", 1)),
                status=int(body.get("status", 500)),
                hang_seconds=float(body.get("hang_seconds", 120.0)),
                chat_id=None if body.get("chat_id") is None else str(body["chat_id"]),
            )
            self.world.faults.add(fault)
        except (TypeError, ValueError) as exc:
            raise _error(400, str(exc)) from None
        return web.json_response([f.to_json() for f in self.world.faults.faults])

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.world.faults.clear()
        return web.json_response([])

    async def calls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        method = request.query.get("method", "").lower()
        calls = [c for c in self.world.calls[since:] if not method or c["method"].lower() == method]
        return web.json_response({"calls": calls, "next": len(self.world.calls)})

    async def commands(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        return web.json_response(
            [
                {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
                for (scope, lang), cmds in bot.commands.items()
            ]
        )

    async def webhook(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        return web.json_response(
            {"url": bot.webhook_url, "pending": len(bot.updates), "deliveries": bot.webhook_log}
        )

    async def reset(self, request: web.Request) -> web.Response:
        self.world.reset()
        return web.json_response({"ok": True, "seq": self.world.seq})
