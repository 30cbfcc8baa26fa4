"""The outbox sender: delivers due outbox rows within Telegram's limits.

- by priority (interactive notifications, then reminders, then broadcasts);
- at most `rate_per_second` messages a second overall and one a second to one chat;
- a 429 pauses that row's lane (its priority) for `retry_after` and retries the row then;
- 5xx and connection errors are retried with jittered exponential backoff for
  `outbox.RETRY_WINDOW` (24 h) from the first try; then the row is `dead` (a dead letter);
- a call that timed out (or lost its connection after the request went out) may have arrived:
  `uncertain`, never resent;
- 403 (blocked) marks the person unreachable and drops what is still pending for them;
- a batch is `claimed`; each row is marked `sending` (committed) only just before its own call,
  and every claimed row not handed to Telegram goes back on any exception, so a crash leaves at
  most one row `uncertain`; `recover` (run periodically) releases what a stopped sender left;
- a lost message (failed, uncertain, dead) is reported to the row's `report_to` person;
- rows of the "email" channel (`bot.kit.mail`) go to the SMTP server instead: a refused address
  fails for good, a server that is down is retried with the same backoff; once sent, the
  e-mail's text (a link and a child's name) is dropped from the row.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import BufferedInputFile
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.retry import ChatPauses
from bot.kit import mail
from bot.kit.clock import Clock
from bot.kit.metrics import Metrics
from storage import outbox, people
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 600
RECOVER_EVERY_SECONDS = 30.0
CHAT_WAIT = 1.0
"""A chat paused longer than this is not waited for in a batch: its rows go back until then."""
IDEMPOTENT_METHODS = frozenset({"editMessageText"})
"""Sending these twice changes nothing: after a timeout they are simply tried again."""

LostReporter = Callable[[AsyncSession, list[outbox.Lost], dt.datetime], Awaitable[None]]


def reached_telegram(exc: TelegramNetworkError) -> bool:
    """Could the request have reached Telegram? Only a connection that was never made says no."""
    return not isinstance(exc.__cause__, aiohttp.ClientConnectorError)


METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendDocument": SendDocument,
    "sendPhoto": SendPhoto,
    "editMessageText": EditMessageText,
}


def build_method(row: outbox.Claimed) -> TelegramMethod[Any]:
    """Turn a stored payload into an aiogram method; files are stored base64 in the payload."""
    payload = dict(row.payload)
    for field in ("document", "photo"):
        value = payload.get(field)
        if isinstance(value, dict) and "base64" in value:
            payload[field] = BufferedInputFile(
                base64.b64decode(value["base64"]), filename=value.get("filename", "file")
            )
    return METHODS[row.method].model_validate({"chat_id": row.chat_id, **payload})


class RateLimiter:
    """A token bucket for all chats, and a minimum interval per chat (monotonic time)."""

    def __init__(
        self,
        per_second: float,
        per_chat_interval: float = 1.0,
        now: Callable[[], float] = time.monotonic,
        burst: float | None = None,
    ) -> None:
        self._rate = per_second
        # A bucket of `per_second` lets up to twice the rate through in the first second (the
        # full bucket plus its refill): the sender uses a burst of 1, evenly spaced messages.
        self._burst = per_second if burst is None else burst
        self._tokens = self._burst
        self._interval = per_chat_interval
        self._now = now
        self._stamp = now()
        self._last_by_chat: dict[str, float] = {}

    def wait_time(self, chat_id: str) -> float:
        now = self._now()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        global_wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
        last = self._last_by_chat.get(chat_id)
        chat_wait = 0.0 if last is None else max(0.0, last + self._interval - now)
        return max(global_wait, chat_wait)

    def chat_wait(self, chat_id: str) -> float:
        """Seconds until this chat may get its next message (the overall bucket aside)."""
        last = self._last_by_chat.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self._interval - self._now())

    def take(self, chat_id: str) -> None:
        self._tokens -= 1
        now = self._now()
        self._last_by_chat[chat_id] = now
        if len(self._last_by_chat) > 10_000:
            cutoff = now - self._interval
            self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > cutoff}


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        metrics: Metrics,
        *,
        rate_per_second: float = 25.0,
        poll_seconds: float = 1.0,
        batch_size: int = 50,
        mailer: mail.Mailer | None = None,
        on_lost: LostReporter | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        pauses: ChatPauses | None = None,
        lease: dt.timedelta | None = None,
    ) -> None:
        self._bot = bot
        self._mailer = mailer
        self._channels: dict[int, str] = {}
        self._sessions = sessions
        self._clock = clock
        self._metrics = metrics
        self._limiter = RateLimiter(rate_per_second, burst=1.0, now=monotonic)
        self._poll = poll_seconds
        self._batch = batch_size
        self._paused_until: dict[int, float] = {}
        self._on_lost = on_lost
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self._pauses = pauses or ChatPauses(monotonic)
        self._claim_lease = lease or outbox.CLAIM_LEASE
        self._sending_lease = lease or outbox.SENDING_LEASE
        self._recovered_at: float | None = None
        self.worker_id = f"sender-{uuid.uuid4().hex[:12]}"
        self.wake = asyncio.Event()

    async def recover(self) -> outbox.Recovered:
        """What stopped senders left: claimed rows go back to pending; a row left `sending`
        becomes `uncertain` (it may have arrived) and is reported, never resent."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            found = await outbox.recover(
                session, now, claim_lease=self._claim_lease, sending_lease=self._sending_lease
            )
            await self._report(session, found.uncertain, now)
        if found.uncertain:
            log.warning(
                "outbox: %s rows were mid-call when their sender stopped; not resent",
                len(found.uncertain),
            )
        if found.released:
            log.info("outbox: %s claimed rows of a stopped sender are due again", found.released)
        self._recovered_at = self._monotonic()
        return found

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if self._recovered_at is None or self._monotonic() - self._recovered_at >= min(
                    RECOVER_EVERY_SECONDS, self._claim_lease.total_seconds()
                ):
                    await self.recover()
                sent = await self.run_once(stop)
            except Exception:
                log.exception("outbox sender iteration failed")
                sent = 0
            if sent == 0:
                self.wake.clear()
                waiter = asyncio.ensure_future(self.wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=self._poll, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()

    def _paused(self) -> frozenset[int]:
        now = self._monotonic()
        return frozenset(p for p, until in self._paused_until.items() if until > now)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch of due rows and deliver them; returns how many were handled.

        Whatever ends the batch early (shutdown, cancellation, a database error, a bug), the
        rows not yet handed to Telegram go back to `pending` for the next run.
        """
        async with self._sessions.begin() as session:
            rows = await outbox.claim_due(
                session,
                worker=self.worker_id,
                now=self._clock.now(),
                limit=self._batch,
                skip_priorities=self._paused(),
            )
            if rows:
                self._channels = await _channels(session, [row.id for row in rows])
        untried = list(rows)
        try:
            while untried:
                paused = self._paused()
                held = [row for row in untried if row.priority in paused]
                if held:  # a 429 paused these lanes: back to the table until the pause ends
                    untried = [row for row in untried if row.priority not in paused]
                    await self._release(held)
                    continue
                resting = [
                    row for row in untried if self._pauses.remaining(row.chat_id) > CHAT_WAIT
                ]
                if resting:  # a 429 for that chat (here or in a direct answer): later
                    untried = [row for row in untried if row not in resting]
                    await self._rest(resting)
                    continue
                if stop is not None and stop.is_set():
                    break
                row = self._next(untried)
                if self._channels.get(row.id) != mail.CHANNEL:  # e-mail has no Telegram limits
                    await self._wait_turn(row)
                untried.remove(row)
                await self._deliver(row)
        finally:
            if untried:
                await self._give_back(untried)
        return len(rows)

    def _next(self, rows: list[outbox.Claimed]) -> outbox.Claimed:
        """The first row (in priority order) whose chat may get a message now; otherwise the
        one whose chat is free soonest. A burst to one chat never holds up the others."""
        waits = {row.chat_id: self._limiter.chat_wait(row.chat_id) for row in rows}
        for row in rows:
            if waits[row.chat_id] == 0:
                return row
        return min(rows, key=lambda row: waits[row.chat_id])  # the first of equals

    async def _give_back(self, rows: list[outbox.Claimed]) -> None:
        """Rows claimed but never handed to Telegram: due again at once (for any sender).

        If even this fails (the database is gone), `recover` releases them after the lease."""
        try:
            async with self._sessions.begin() as session:
                await outbox.give_back(
                    session, [row.id for row in rows], self.worker_id, self._clock.now()
                )
        except Exception:
            log.exception("outbox: %s claimed rows are released after the lease", len(rows))

    async def _release(self, rows: list[outbox.Claimed]) -> None:
        """Give back rows of paused lanes without sending them; due when their pause ends."""
        by_lane: dict[int, list[int]] = {}
        for row in rows:
            by_lane.setdefault(row.priority, []).append(row.id)
        async with self._sessions.begin() as session:
            for lane, ids in by_lane.items():
                left = self._paused_until[lane] - self._monotonic()
                until = self._clock.now() + _seconds(left)
                await outbox.give_back(session, ids, self.worker_id, until)

    async def _rest(self, rows: list[outbox.Claimed]) -> None:
        """Give back rows for chats Telegram paused; due when the chat's pause ends."""
        async with self._sessions.begin() as session:
            for row in rows:
                until = self._clock.now() + _seconds(self._pauses.remaining(row.chat_id))
                await outbox.give_back(session, [row.id], self.worker_id, until)

    async def _wait_turn(self, row: outbox.Claimed) -> None:
        wait = max(self._limiter.wait_time(row.chat_id), self._pauses.remaining(row.chat_id))
        if wait > 0:
            await asyncio.sleep(wait)

    async def _deliver(self, row: outbox.Claimed) -> None:
        async with self._sessions.begin() as session:  # committed before the call
            if not await outbox.start_sending(session, row.id, self.worker_id, self._clock.now()):
                log.warning("outbox row %s is no longer this sender's: not sent", row.id)
                return
        if self._channels.get(row.id) == mail.CHANNEL:
            await self._deliver_mail(row)
            return
        self._limiter.take(row.chat_id)
        now = self._clock.now
        try:
            result = await self._bot(build_method(row))
        except TelegramRetryAfter as exc:
            self._paused_until[row.priority] = self._monotonic() + exc.retry_after
            self._pauses.pause(row.chat_id, exc.retry_after)
            await self._outcome(
                outbox.mark_retry,
                row.id,
                now() + _seconds(exc.retry_after),
                f"429 retry after {exc.retry_after}s",
            )
            self._metrics.sends.labels(result="retry_after").inc()
        except TelegramForbiddenError as exc:
            async with self._sessions.begin() as session:
                await outbox.mark_final(session, row.id, OutboxStatus.UNREACHABLE, exc.message)
                await people.mark_unreachable(session, people.TELEGRAM, row.chat_id, now())
                await outbox.drop_pending_for_chat(session, row.chat_id, exc.message)
            self._metrics.sends.labels(result="unreachable").inc()
        except TelegramBadRequest as exc:
            log.error("outbox row %s refused by Telegram: %s", row.id, exc.message)
            await self._lost(row, OutboxStatus.FAILED, exc.message)
        except TelegramNetworkError as exc:
            if reached_telegram(exc) and row.method not in IDEMPOTENT_METHODS:
                log.warning("outbox row %s: %s; it may have arrived, not resent", row.id, exc)
                await self._lost(row, OutboxStatus.UNCERTAIN, str(exc))
            else:
                await self._retry_later(row, str(exc))
        except TelegramServerError as exc:
            await self._retry_later(row, str(exc))
        except Exception as exc:  # a bug in a payload must not stop the lane
            log.exception("outbox row %s could not be sent", row.id)
            await self._lost(row, OutboxStatus.FAILED, repr(exc))
        else:
            message_id = getattr(result, "message_id", None)
            await self._outcome(outbox.mark_sent, row.id, message_id, now())
            self._metrics.sends.labels(result="sent").inc()

    async def _deliver_mail(self, row: outbox.Claimed) -> None:
        """An e-mail row: over SMTP; its text is dropped once it is sent."""
        if self._mailer is None:
            log.error("outbox row %s is an e-mail, but SMTP_URL is not set", row.id)
            await self._outcome(outbox.mark_final, row.id, OutboxStatus.FAILED, "no SMTP_URL")
            self._metrics.sends.labels(result="failed").inc()
            return
        try:
            await self._mailer.send(row.chat_id, row.payload)
        except mail.MailError as exc:
            if exc.permanent:
                log.error("outbox row %s: the e-mail was refused: %s", row.id, exc)
                await self._lost(row, OutboxStatus.FAILED, str(exc))
            else:
                await self._retry_later(row, str(exc))
            return
        async with self._sessions.begin() as session:
            await outbox.mark_sent(session, row.id, None, self._clock.now())
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(payload={})
            )
        self._metrics.sends.labels(result="sent").inc()

    async def _retry_later(self, row: outbox.Claimed, error: str) -> None:
        """Not delivered, and certainly not half-delivered: again later, within the window."""
        now = self._clock.now()
        if outbox.window_over(row.first_attempt_at or now, now):
            log.error("outbox row %s: no delivery within the retry window: %s", row.id, error)
            await self._lost(row, OutboxStatus.DEAD, error)
            return
        attempt = row.attempts + 1  # counted by start_sending
        ceiling = min(2.0**attempt, MAX_BACKOFF_SECONDS)
        delay = self._rng.uniform(ceiling / 2, ceiling)  # jitter: a crowd does not return at once
        await self._outcome(outbox.mark_retry, row.id, now + _seconds(delay), error)
        self._metrics.sends.labels(result="retry").inc()

    async def _lost(self, row: outbox.Claimed, status: OutboxStatus, error: str) -> None:
        """The row ends undelivered (or maybe delivered): recorded, counted, and reported."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            await outbox.mark_final(session, row.id, status, error)
            await self._report(session, [row.id], now)
        self._metrics.sends.labels(result=status.value).inc()

    async def _report(self, session: AsyncSession, ids: Sequence[int], now: dt.datetime) -> None:
        if self._on_lost is None or not ids:
            return
        lost = await outbox.lost_to_report(session, ids)
        if lost:
            await self._on_lost(session, lost, now)

    async def _outcome(self, func: Callable[..., Any], *args: Any) -> None:
        async with self._sessions.begin() as session:
            await func(session, *args)


async def _channels(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    """The channel of each claimed row ("telegram" or "email")."""
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.channel).where(OutboxMessage.id.in_(ids))
    )
    return {row_id: channel for row_id, channel in rows.all()}


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=max(value, 0.0))
