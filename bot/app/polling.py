"""Long polling that confirms an update only after its handling was committed.

aiogram's own polling asks for the next offset as soon as updates are handed out, so a crash
loses the updates in flight. Here a batch is handled first (updates of different people in
parallel, one person's in order by event isolation) and only then is the next offset asked
for. Updates handled before a crash are skipped on redelivery (see DbSessionMiddleware).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Update

log = logging.getLogger(__name__)


class ReliablePoller:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        allowed_updates: list[str],
        *,
        timeout: int = 25,
        **handler_kwargs: Any,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._allowed = allowed_updates
        self._timeout = timeout
        self._kwargs = handler_kwargs
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                batch = await self._fetch(stop)
            except TelegramRetryAfter as exc:
                await _sleep_or_stop(stop, exc.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError, TelegramConflictError) as exc:
                log.warning("getUpdates failed (%s); trying again in %.0f s", exc, backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if batch is None:
                break
            backoff = 1.0
            if not batch:
                continue
            if await self._handle_batch(batch):
                self.offset = batch[-1].update_id + 1
            else:
                await _sleep_or_stop(stop, 1.0)
        await self._confirm()

    async def _fetch(self, stop: asyncio.Event) -> list[Update] | None:
        fetch = asyncio.ensure_future(
            self._bot.get_updates(
                offset=self.offset,
                timeout=self._timeout,
                allowed_updates=self._allowed,
                request_timeout=self._timeout + 10,
            )
        )
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if fetch not in done:
            fetch.cancel()
            return None
        return fetch.result()

    async def _handle_batch(self, batch: list[Update]) -> bool:
        """Handle all; True when every update was handled (or deliberately skipped)."""
        results = await asyncio.gather(
            *(self._dispatcher.feed_update(self._bot, update, **self._kwargs) for update in batch),
            return_exceptions=True,
        )
        ok = True
        for update, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                ok = False
                log.error(
                    "update %s was not handled; it will come again",
                    update.update_id,
                    exc_info=result,
                )
        return ok

    async def _confirm(self) -> None:
        """Tell Telegram what was handled, so a restart does not fetch it again (best effort)."""
        if self.offset is None:
            return
        try:
            await self._bot.get_updates(offset=self.offset, timeout=0, limit=1)
        except Exception as exc:  # shutting down anyway; redelivery is deduplicated
            log.info("could not confirm the last updates at shutdown: %s", exc)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
