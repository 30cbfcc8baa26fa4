"""Webhook delivery: POST each pending update until the bot answers 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from simulator.state import BotState, World

MIN_BACKOFF = 0.2
MAX_BACKOFF = 1.0

# (bot, method call dict from the webhook response body) -> None
ReplyHandler = Callable[[BotState, dict[str, Any]], Awaitable[None]]


class WebhookDelivery:
    def __init__(self, world: World, on_reply: ReplyHandler) -> None:
        self.world = world
        self.on_reply = on_reply
        self.session: aiohttp.ClientSession | None = None
        self.tasks: dict[int, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self.world.on_webhook_set = self.ensure

    async def stop(self) -> None:
        self.world.on_webhook_set = None
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None

    def ensure(self, bot: BotState) -> None:
        task = self.tasks.get(id(bot))
        if task is None or task.done():
            self.tasks[id(bot)] = asyncio.get_running_loop().create_task(self._run(bot))

    async def _run(self, bot: BotState) -> None:
        backoff = MIN_BACKOFF
        closing = self.world.closing
        while bot.webhook_url and not closing.is_set() and self.session is not None:
            if not bot.updates:
                await bot.updates_signal.wait(5.0, closing)
                continue
            update = bot.updates[0]
            ok, error, reply = await self._post(bot, update)
            bot.webhook_log.append(
                {"update_id": update["update_id"], "ok": ok, "error": error, "time": time.time()}
            )
            if ok:
                backoff = MIN_BACKOFF
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                if reply is not None:
                    await self.on_reply(bot, reply)
                continue
            bot.webhook_error = (int(time.time()), error or "unknown error")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(closing.wait(), backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _post(
        self, bot: BotState, update: dict[str, Any]
    ) -> tuple[bool, str | None, dict[str, Any] | None]:
        assert self.session is not None
        headers = {}
        if bot.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
        try:
            async with self.session.post(bot.webhook_url, json=update, headers=headers) as resp:
                body = await resp.read()
                if not 200 <= resp.status < 300:
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                    return False, error, None
        except (aiohttp.ClientError, TimeoutError) as exc:
            return False, f"Connection failed: {type(exc).__name__}", None
        reply = None
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            parsed = json.loads(body) if body else None
            if isinstance(parsed, dict) and isinstance(parsed.get("method"), str):
                reply = parsed
        return True, None, reply
