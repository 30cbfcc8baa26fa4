"""The scheduler only decides what is due and writes outbox rows.

Due work is found by short periodic sweeps. *When* a sweep runs is measured on monotonic time
(the event loop's clock, which a step of the system clock does not move): sweeps start every
interval whatever the wall clock does. *What* is due is decided by comparing with the wall clock
(our injected Clock), read at the start of each sweep, so a step of the system clock, backward or
forward, delays nothing by more than one interval. Each sweep runs in its own transaction; a
duplicate run is harmless because outbox rows carry idempotency keys.

Several replicas on one PostgreSQL: each sweep's transaction first takes a PostgreSQL advisory
lock of its own (`pg_try_advisory_xact_lock`, released at commit or rollback, also when the
process dies); a replica that finds it taken skips that sweep this round, because another replica
is running it at this moment. So no two replicas run the same sweep at once (two runs deleting
the same expired signup would make the second fail), and a later run sees the earlier one's
committed work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock, Monotonic
from bot.kit.sweep import Sweep
from storage.db import try_lock

log = logging.getLogger(__name__)

Wait = Callable[[asyncio.Event, float], Awaitable[None]]


class Sweeper:
    """Runs every registered sweep, each in its own transaction, with the Dutch catalog active."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        i18n: I18n,
        sweeps: list[Sweep],
        after: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._i18n = i18n
        self.sweeps = sweeps
        self._after = after

    async def run_all(self) -> None:
        for sweep in self.sweeps:
            try:
                with self._i18n.context(), self._i18n.use_locale(self._i18n.default_locale):
                    async with self._sessions.begin() as session:
                        if not await take_turn(session, sweep.name):
                            log.debug("sweep %s is running on another replica", sweep.name)
                            continue
                        await sweep.func(session, self._clock.now())
            except Exception:
                log.exception("sweep %s failed; it runs again at the next interval", sweep.name)
        if self._after is not None:
            self._after()


async def take_turn(session: AsyncSession, name: str) -> bool:
    """May this replica run the sweep `name` now? On PostgreSQL only when no other replica is
    running it (a transaction-level advisory lock); elsewhere (SQLite: one process) always."""
    return await try_lock(session, name)


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds` on the event loop's (monotonic) clock, or until `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def run_every(
    interval_seconds: float,
    job: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    *,
    monotonic: Monotonic | None = None,
    wait: Wait = wait_or_stop,
) -> None:
    """Start `job` every `interval_seconds` of monotonic time until `stop` is set.

    The first run is one interval from now. A run that takes longer than an interval is
    followed at once by the next (runs missed meanwhile are not made up); one that fails is
    logged and the next starts on time. `monotonic` (default: the event loop's clock) and `wait`
    (default: `wait_or_stop`) are injected by tests.
    """
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    now = monotonic or asyncio.get_running_loop().time
    due = now() + interval_seconds
    while not stop.is_set():
        remaining = due - now()
        if remaining > 0:
            await wait(stop, remaining)
            continue
        try:
            await job()
        except Exception:
            log.exception("sweeps failed; they run again at the next interval")
        due = max(due + interval_seconds, now())
