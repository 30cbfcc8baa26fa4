"""Async test client for the emulator's control API (used by end-to-end tests only).

Usage::

    async with EmulatorClient(emu.base_url) as emu_client:
        anna = await emu_client.create_user("Anna", last_name="de Vries")   # -> TestUser
        await anna.send("/start")
        msg = await anna.expect_message(timeout=5)   # next new bot message; advances the cursor
        assert "Welkom" in msg.text and "Aanmelden" in msg.buttons
        answer = await anna.tap(msg, "Aanmelden")    # -> CallbackAnswer | None
        edited = await anna.expect_edit(msg)         # the same message after its next edit
        await anna.press("Ja")                       # reply-keyboard button
        await anna.reply(msg, "ok")
        await anna.expect_no_message(within=0.5)
        await anna.send_sticker(); await anna.send_photo(); await anna.send_document()
        await anna.send_voice(); await anna.block_bot(); await anna.unblock_bot()
        data = await emu_client.download(msg)        # bytes of a document/photo

``EmulatorClient`` methods: ``create_user``, ``transcript``, ``events``, ``inject_fault``,
``clear_faults``, ``set_limits``, ``calls``, ``commands``, ``webhook``, ``download``, ``info``,
``reset``, ``close``. ``TestUser`` methods: ``send``, ``reply``, ``press``, ``tap``,
``send_sticker``, ``send_photo``, ``send_document``, ``send_voice``, ``block_bot``,
``unblock_bot``, ``expect_message``, ``expect_edit``, ``expect_no_message``, ``transcript``.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import aiohttp

from simulator.client_models import BotMessage, CallbackAnswer, FileInfo

JsonDict = dict[str, Any]
JsonList = list[dict[str, Any]]

__all__ = ["BotMessage", "CallbackAnswer", "EmulatorClient", "FileInfo", "TestUser"]


class TestUser:
    """A Telegram user chatting with the bot; keeps a cursor over the chat's events."""

    __test__ = False  # not a pytest test class

    def __init__(self, client: EmulatorClient, data: dict[str, Any], cursor: int) -> None:
        self.client = client
        self.id: int = data["id"]
        self.first_name: str = data["first_name"]
        self.data = data
        self.cursor = cursor

    async def _act(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        return cast(JsonDict, await self.client.post(f"/users/{self.id}/{action}", body))

    async def send(self, text: str) -> BotMessage:
        data = await self._act("messages", {"text": text})
        return BotMessage.from_snapshot(data["message"], data["seq"])

    async def reply(self, msg: BotMessage, text: str) -> BotMessage:
        data = await self._act("messages", {"text": text, "reply_to_message_id": msg.message_id})
        return BotMessage.from_snapshot(data["message"], data["seq"])

    async def press(self, text: str) -> BotMessage:
        data = await self._act("press", {"text": text})
        return BotMessage.from_snapshot(data["message"], data["seq"])

    async def tap(
        self,
        msg: BotMessage,
        text: str | None = None,
        *,
        callback_data: str | None = None,
        answer_timeout: float = 2.0,
    ) -> CallbackAnswer | None:
        """Tap an inline button; return the bot's answer, or None if it did not answer in time."""
        body: dict[str, Any] = {"message_id": msg.message_id, "text": text}
        if callback_data is not None:
            body["callback_data"] = callback_data
        data = await self._act("tap", body)
        event = await self._wait_for(
            data["seq"] - 1,
            answer_timeout,
            lambda e: e["type"] == "callback_answer"
            and e["callback_query_id"] == data["callback_query_id"],
        )
        if event is None:
            return None
        return CallbackAnswer(event.get("text"), bool(event.get("show_alert")), event.get("url"))

    async def _media(self, kind: str, **body: Any) -> BotMessage:
        data = await self._act("media", {"kind": kind, **body})
        return BotMessage.from_snapshot(data["message"], data["seq"])

    async def send_sticker(self) -> BotMessage:
        return await self._media("sticker")

    async def send_photo(self, caption: str | None = None) -> BotMessage:
        return await self._media("photo", caption=caption)

    async def send_document(
        self, file_name: str = "document.pdf", caption: str | None = None
    ) -> BotMessage:
        return await self._media("document", file_name=file_name, caption=caption)

    async def send_voice(self) -> BotMessage:
        return await self._media("voice")

    async def block_bot(self) -> None:
        await self._act("block", {})

    async def unblock_bot(self) -> None:
        await self._act("unblock", {})

    async def transcript(self) -> dict[str, Any]:
        return await self.client.transcript(self.id)

    async def _wait_for(
        self, after: int, seconds: float, match: Any, *, advance: bool = False
    ) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            remaining = deadline - loop.time()
            events = await self.client.events(self.id, after, max(remaining, 0.0))
            for event in events:
                after = event["seq"]
                if advance:
                    self.cursor = after
                if match(event):
                    return event
            if deadline - loop.time() <= 0:
                return None

    async def expect_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next new bot message after the cursor (and move the cursor past it)."""
        event = await self._wait_for(
            self.cursor,
            timeout,
            lambda e: e["type"] == "message" and e["sender"] == "bot",
            advance=True,
        )
        if event is None:
            raise AssertionError(
                f"no bot message for user {self.id} within {timeout}s\n{await self._tail()}"
            )
        return BotMessage.from_snapshot(event["message"], event["seq"])

    async def expect_edit(
        self,
        msg: BotMessage,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """Wait until ``msg`` is edited after the state it represents; return the new state."""
        event = await self._wait_for(
            msg.seq,
            timeout,
            lambda e: e["type"] == "edit" and e["message_id"] == msg.message_id,
        )
        if event is None:
            raise AssertionError(
                f"message {msg.message_id} was not edited within {timeout}s\n{await self._tail()}"
            )
        return BotMessage.from_snapshot(event["message"], event["seq"])

    async def expect_no_message(self, within: float = 0.5) -> None:
        event = await self._wait_for(
            self.cursor,
            within,
            lambda e: e["type"] == "message" and e["sender"] == "bot",
            advance=True,
        )
        if event is not None:
            text = event["message"].get("text")
            raise AssertionError(f"unexpected bot message {text!r}\n{await self._tail()}")

    async def _tail(self, n: int = 10) -> str:
        transcript = await self.transcript()
        lines = []
        for event in transcript["events"][-n:]:
            detail = event.get("message", {}).get("text") or event.get("action") or ""
            sender = event.get("sender", "")
            lines.append(f"  #{event['seq']} {event['type']} {sender} {detail!r}")
        return "transcript tail:\n" + "\n".join(lines)


class EmulatorClient:
    """Client for ``/_emulator/``; pass ``token`` to address a bot other than the default."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _params(self, extra: dict[str, Any] | None = None) -> dict[str, str]:
        params = {k: str(v) for k, v in (extra or {}).items() if v is not None}
        if self.token:
            params["token"] = self.token
        return params

    async def _request(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        url = f"{self.base_url}/_emulator{path}"
        async with self.session.request(
            method, url, json=body, params=self._params(params)
        ) as resp:
            data = await resp.json()
            if resp.status >= 400:
                raise AssertionError(f"{method} {path} -> {resp.status}: {data.get('error')}")
            return data

    async def get(self, path: str, **params: Any) -> Any:
        return await self._request("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self._request("POST", path, body if body is not None else {})

    async def info(self) -> dict[str, Any]:
        return cast(JsonDict, await self.get("/info"))

    async def create_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "nl",
    ) -> TestUser:
        data = await self.post(
            "/users",
            {
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
            },
        )
        return TestUser(self, data, data["seq"])

    async def transcript(self, chat_id: int) -> dict[str, Any]:
        return cast(JsonDict, await self.get(f"/chats/{chat_id}/transcript"))

    async def events(
        self,
        chat_id: int,
        after: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        data = await self.get(f"/chats/{chat_id}/events", after=after, timeout=timeout)
        return list(data["events"])

    async def inject_fault(
        self,
        method: str,
        count: int = 1,
        kind: str = "error",
        retry_after: int = 1,
        status: int = 500,
        hang_seconds: float = 120.0,
        chat_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Make the next `count` calls of `method` ("*" = any) fail; only to `chat_id` if given."""
        body: dict[str, Any] = {"method": method, "count": count, "kind": kind, "chat_id": chat_id}
        body |= {"retry_after": retry_after, "status": status, "hang_seconds": hang_seconds}
        return cast(JsonList, await self.post("/faults", body))

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def set_limits(
        self,
        global_per_second: int | None = None,
        per_chat_burst: int | None = None,
        per_chat_refill_per_second: float | None = None,
    ) -> dict[str, Any]:
        body = {
            "global_per_second": global_per_second,
            "per_chat_burst": per_chat_burst,
            "per_chat_refill_per_second": per_chat_refill_per_second,
        }
        return cast(
            JsonDict, await self.post("/limits", {k: v for k, v in body.items() if v is not None})
        )

    async def calls(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        data = await self.get("/calls", method=method, since=since)
        return list(data["calls"])

    async def commands(
        self, scope: dict[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, Any]]:
        """All stored command lists, or only the one for ``scope``/``language_code``."""
        entries = await self.get("/commands")
        if scope is None and language_code is None:
            return list(entries)
        wanted = scope or {"type": "default"}
        for entry in entries:
            if entry["scope"] == wanted and entry["language_code"] == (language_code or ""):
                return list(entry["commands"])
        return []

    async def webhook(self) -> dict[str, Any]:
        return cast(JsonDict, await self.get("/webhook"))

    async def download(self, item: BotMessage | FileInfo | str) -> bytes:
        if isinstance(item, BotMessage):
            if item.document is None:
                raise AssertionError(f"message {item.message_id} has no file")
            item = item.document
        url = item.download_url if isinstance(item, FileInfo) else f"/_emulator/files/{item}"
        async with self.session.get(self.base_url + url) as resp:
            if resp.status != 200:
                raise AssertionError(f"download failed: {resp.status}")
            return await resp.read()

    async def reset(self) -> None:
        await self.post("/reset")
