"""The foundation's periodic sweeps (feature modules add their own in bot.factory)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.metrics import Metrics
from bot.kit.sweep import Sweep
from storage import outbox, privacy, updates
from storage.models import OutboxStatus

log = logging.getLogger(__name__)


async def purge_processed_updates(session: AsyncSession, now: dt.datetime) -> None:
    await updates.purge_processed(session, now)


async def purge_expired_personal_data(session: AsyncSession, now: dt.datetime) -> None:
    """Retention from the inventory (`storage.privacy`): sent messages after
    `OUTBOX_KEEP_DAYS`, conversation state after `CONVERSATION_LIFETIME`."""
    purged = await privacy.purge_expired(session, now)
    if any(purged.values()):
        log.info("retention: deleted %s", ", ".join(f"{n} {t}" for t, n in purged.items() if n))


def outbox_gauges(metrics: Metrics) -> Sweep:
    async def refresh(session: AsyncSession, now: dt.datetime) -> None:
        stats = await outbox.stats(session, now)
        metrics.outbox_depth.set(stats.pending)
        metrics.outbox_oldest.set(stats.oldest_pending_seconds)
        metrics.outbox_oldest_sending.set(stats.oldest_sending_seconds)
        for status in OutboxStatus:
            metrics.outbox_rows.labels(status=status.value).set(stats.count(status))

    return Sweep("outbox_gauges", refresh)


def foundation_sweeps(metrics: Metrics) -> list[Sweep]:
    return [
        Sweep("purge_processed_updates", purge_processed_updates),
        Sweep("privacy_retention", purge_expired_personal_data),
        outbox_gauges(metrics),
    ]
