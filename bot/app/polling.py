"""Long polling that handles people concurrently and confirms an update only once committed.

- **Nobody waits for somebody else.** Fetching never waits for handling: each update goes to
  its person's queue (the sender, else the chat) and the next `getUpdates` is asked for at once.
  One person's updates are handled strictly one after the other, in the order Telegram gave
  them; different people's at the same time, at most `max_concurrent` at once
  (`MAX_CONCURRENT_UPDATES`).
- **Nothing is confirmed before it is committed.** `getUpdates` confirms every update below
  its `offset`, so the offset asked for is the low-water mark (`Watermark`): the oldest update
  not yet handled, or one past the newest when everything is. Telegram therefore gives back
  the updates still in hand with every fetch; those are recognised and skipped. When a fetch
  brings nothing new, the poller waits until the oldest one is done (the offset moves) or
  looks again after `repoll_seconds` (0.25 s: how long someone else's update may go unseen
  while one hangs). A crash re-delivers every update that was not finished; those already
  committed are skipped by `DbSessionMiddleware`.
- Telegram returns at most 100 updates from the offset: while the oldest update hangs, at most
  99 newer ones are taken in; after that everyone waits for it (bounded: a request to Telegram
  gives up after aiogram's 60 s timeout).
- An update whose handling raised (rare: the error handler answers almost everything) is tried
  again after 1, 2, 4 ... 30 s, in its place: that person's later updates wait for it.
- On stop: nothing new is fetched or started; handlers in flight finish (the runtime bounds how
  long); what was not started is delivered again after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Hashable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Update

log = logging.getLogger(__name__)


class Watermark:
    """Which updates are in hand, and the `getUpdates` offset that confirms only finished ones.

    `offset` is the oldest update taken in and not finished, or one past the newest when all
    are finished (None before the first): everything below it is done, so confirming it to
    Telegram never loses an update that is not committed.
    """

    def __init__(self) -> None:
        self._pending: set[int] = set()
        self._done: set[int] = set()  # finished at or above the offset
        self._next: int | None = None  # one past the newest update taken in

    @property
    def offset(self) -> int | None:
        return min(self._pending) if self._pending else self._next

    @property
    def pending(self) -> int:
        return len(self._pending)

    def take(self, update_id: int) -> bool:
        """Take in an update; False when it is in hand or finished already (given again)."""
        offset = self.offset
        if update_id in self._pending or update_id in self._done:
            return False
        if offset is not None and update_id < offset:
            return False
        self._pending.add(update_id)
        self._next = max(self._next or 0, update_id + 1)
        return True

    def finish(self, update_id: int) -> bool:
        """Mark an update done (committed or deliberately skipped); True when the offset moved."""
        before = self.offset
        self._pending.discard(update_id)
        self._done.add(update_id)
        after = self.offset
        if after is not None and after != before:
            self._done = {done for done in self._done if done >= after}
        return after != before


def person_of(update: Update) -> Hashable:
    """Whose update this is: the sender, else the chat; an update of nobody stands alone."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.user is not None:
        return context.user.id
    if context.chat is not None:
        return context.chat.id
    return ("update", update.update_id)


class ReliablePoller:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        allowed_updates: list[str],
        *,
        timeout: int = 25,
        max_concurrent: int = 16,
        repoll_seconds: float = 0.25,
        **handler_kwargs: Any,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._allowed = allowed_updates
        self._timeout = timeout
        self._repoll = repoll_seconds
        self._kwargs = handler_kwargs
        self._slots = asyncio.Semaphore(max_concurrent)
        self.window = Watermark()
        self._queues: dict[Hashable, deque[Update]] = {}
        self._workers: dict[Hashable, asyncio.Task[None]] = {}
        self._moved = asyncio.Event()  # the offset moved: worth asking Telegram again

    @property
    def offset(self) -> int | None:
        """The next `getUpdates` offset: everything below it is committed."""
        return self.window.offset

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self._poll(stop)
            # handlers in flight finish; queued updates are not started (they come again)
            while self._workers:
                await asyncio.gather(*self._workers.values(), return_exceptions=True)
        except asyncio.CancelledError:
            workers = list(self._workers.values())
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        await self._confirm()

    async def _poll(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            self._moved.clear()
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
            fresh = [update for update in batch if self.window.take(update.update_id)]
            for update in fresh:
                self._submit(update, stop)
            if not fresh and self.window.pending:
                # only updates in hand came back: wait until the oldest is done, or look again
                # shortly for someone else's
                await self._wait_for_progress(stop)

    async def _wait_for_progress(self, stop: asyncio.Event) -> None:
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._moved.wait())}
        try:
            await asyncio.wait(waiters, timeout=self._repoll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

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

    def _submit(self, update: Update, stop: asyncio.Event) -> None:
        """Queue the update behind its person's earlier ones; start a worker when idle."""
        person = person_of(update)
        queue = self._queues.get(person)
        if queue is None:
            queue = self._queues[person] = deque()
            self._workers[person] = asyncio.create_task(
                self._work(person, queue, stop), name=f"updates-{person}"
            )
        queue.append(update)

    async def _work(self, person: Hashable, queue: deque[Update], stop: asyncio.Event) -> None:
        """Handle one person's updates in order until the queue is empty (or we stop)."""
        try:
            while queue and not stop.is_set():
                update = queue[0]
                if not await self._handle(update, stop):
                    return
                queue.popleft()
                if self.window.finish(update.update_id):
                    self._moved.set()
        finally:
            del self._queues[person]
            del self._workers[person]

    async def _handle(self, update: Update, stop: asyncio.Event) -> bool:
        """Handle with a free slot; again after a failure. False when stopped before done."""
        backoff = 1.0
        while True:
            async with self._slots:
                if stop.is_set():
                    return False
                try:
                    await self._dispatcher.feed_update(self._bot, update, **self._kwargs)
                    return True
                except Exception:
                    log.exception(
                        "update %s was not handled; trying again in %.0f s",
                        update.update_id,
                        backoff,
                    )
            await _sleep_or_stop(stop, backoff)
            backoff = min(backoff * 2, 30.0)

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
