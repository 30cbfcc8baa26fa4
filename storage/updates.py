"""Processed update ids: each Telegram update is handled at most once (kept 24 hours)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

KEEP = dt.timedelta(hours=24)


async def is_processed(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    found = await session.scalar(
        select(ProcessedUpdate.update_id).where(
            ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
        )
    )
    return found is not None


def mark_processed(session: AsyncSession, bot_id: int, update_id: int, now: dt.datetime) -> None:
    """Record the update in the handler's own transaction, so both commit or neither does."""
    session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, processed_at=now))


async def purge_processed(session: AsyncSession, now: dt.datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
