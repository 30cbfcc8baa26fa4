"""The foundation's periodic sweeps (feature modules add their own in bot.factory)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.metrics import Metrics
from bot.kit.sweep import Sweep
from storage import outbox, updates


async def purge_processed_updates(session: AsyncSession, now: dt.datetime) -> None:
    await updates.purge_processed(session, now)


def outbox_gauges(metrics: Metrics) -> Sweep:
    async def refresh(session: AsyncSession, now: dt.datetime) -> None:
        stats = await outbox.stats(session, now)
        metrics.outbox_depth.set(stats.pending)
        metrics.outbox_oldest.set(stats.oldest_pending_seconds)

    return Sweep("outbox_gauges", refresh)


def foundation_sweeps(metrics: Metrics) -> list[Sweep]:
    return [Sweep("purge_processed_updates", purge_processed_updates), outbox_gauges(metrics)]
