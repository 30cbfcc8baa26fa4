"""The coordinator's view of a running broadcast: one progress message, then a final report.

A small ticker (every PROGRESS_SECONDS, started with the bot's web server) counts the outbox
rows of each running broadcast. When the counts changed, it queues an edit of the progress
message (so it is edited at most once every few seconds); when nothing is waiting any more, it
queues the final report. Both go through the outbox with idempotency keys built from the counts,
so a second ticker (another replica) or a restart never sends a report twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.opportunities import keys
from bot.kit import notify
from bot.kit.feature import FeatureDeps
from storage.models import LOST_STATUSES, WAITING_STATUSES, OutboxStatus
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity, OpportunityBroadcast

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 3.0


DONE_SHOWN = "done"
"""`OpportunityBroadcast.progress` once the final report is queued."""


def _split(counts: dict[str, int]) -> tuple[int, int, int, int]:
    """Outbox counts by status (`OutboxStatus` values) -> sent, waiting, unreachable, failed."""
    sent = counts.get(OutboxStatus.SENT, 0)
    waiting = sum(counts.get(status, 0) for status in WAITING_STATUSES)
    unreachable = counts.get(OutboxStatus.UNREACHABLE, 0)
    failed = sum(counts.get(status, 0) for status in LOST_STATUSES)
    return sent, waiting, unreachable, failed


def progress_text(title: str, total: int, counts: dict[str, int]) -> str:
    sent, waiting, unreachable, failed = _split(counts)
    return _(
        "Sending <b>{title}</b> to {total} people…\n"
        "Sent: {sent}\nWaiting: {waiting}\nUnreachable: {unreachable}\nFailed: {failed}"
    ).format(
        title=html.quote(title),
        total=total,
        sent=sent,
        waiting=waiting,
        unreachable=unreachable,
        failed=failed,
    )


def final_text(title: str, total: int, counts: dict[str, int]) -> str:
    sent, _waiting, unreachable, failed = _split(counts)
    return _(
        "Done: <b>{title}</b> was sent to {sent} of {total} people.\n"
        "Unreachable (blocked the bot): {unreachable}\nFailed: {failed}"
    ).format(
        title=html.quote(title), sent=sent, total=total, unreachable=unreachable, failed=failed
    )


async def refresh(session: AsyncSession, now: dt.datetime) -> None:
    """Update the progress message of every running broadcast; finish those that are done."""
    for broadcast in await opportunities.running_broadcasts(session):
        await _refresh_one(session, broadcast, now)


async def _refresh_one(
    session: AsyncSession, broadcast: OpportunityBroadcast, now: dt.datetime
) -> None:
    opp = await session.get(Opportunity, broadcast.opportunity_id)
    counts = await opportunities.broadcast_counts(session, broadcast.id)
    sent, waiting, unreachable, failed = _split(counts)
    shown = f"{sent}/{waiting}/{unreachable}/{failed}"
    title = opp.title if opp is not None else "?"
    if waiting == 0:
        opportunities.finish_broadcast(broadcast, now)
        shown = DONE_SHOWN
        await notify.enqueue(
            session,
            chat_id=broadcast.chat_id,
            payload=notify.message_payload(final_text(title, broadcast.total, counts)),
            key=keys.broadcast_final_key(broadcast.id),
            now=now,
            programme_id=broadcast.programme_id,
        )
    if shown == broadcast.progress or broadcast.progress_message_id is None:
        return
    broadcast.progress = shown
    broadcast.progress_at = now
    await notify.enqueue(
        session,
        chat_id=broadcast.chat_id,
        method="editMessageText",
        payload={
            "message_id": broadcast.progress_message_id,
            "text": progress_text(title, broadcast.total, counts),
        },
        key=keys.broadcast_edit_key(broadcast.id, shown),
        now=now,
        programme_id=broadcast.programme_id,
    )


async def _loop(deps: FeatureDeps, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            with deps.i18n.context(), deps.i18n.use_locale(deps.i18n.default_locale):
                async with deps.sessions.begin() as session:
                    await refresh(session, deps.clock.now())
        except Exception:
            log.exception("broadcast progress could not be updated")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PROGRESS_SECONDS)


def install(app: web.Application, deps: FeatureDeps) -> None:
    """Run the progress ticker while the bot's web server runs (started and stopped with it)."""

    async def ticker(_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(_loop(deps, stop), name="broadcast-progress")
        yield
        stop.set()
        try:
            await asyncio.wait_for(task, 5)
        except TimeoutError:
            task.cancel()

    app.cleanup_ctx.append(ticker)
