"""The scheduler only decides what is due and writes outbox rows.

Due work is found by short periodic sweeps that compare with the wall clock (our Clock), so a
jump of the clock delays nothing by more than one sweep interval. Each sweep runs in its own
transaction; a duplicate run is harmless because outbox rows carry idempotency keys.
APScheduler runs with coalescing, one instance at a time and a generous misfire grace.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock
from bot.kit.sweep import Sweep

log = logging.getLogger(__name__)


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
                        await sweep.func(session, self._clock.now())
            except Exception:
                log.exception("sweep %s failed; it runs again at the next interval", sweep.name)
        if self._after is not None:
            self._after()


def build_scheduler(sweeper: Sweeper, interval_seconds: float) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=dt.UTC,
    )
    scheduler.add_job(
        sweeper.run_all,
        "interval",
        seconds=interval_seconds,
        id="sweeps",
    )
    return scheduler
