"""The outbox: messages that must reach someone later, and the queries of its sender.

A row is written in the same transaction as the change that causes it, with a unique
idempotency key (a second write with the same key is ignored). The sender claims due rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers can share the table), sends them
and records the outcome. A row claimed by a worker that died mid-send is marked `uncertain`
and never sent again: nobody gets a message twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus


class Priority(IntEnum):
    """Lower goes first: interactive notifications, then reminders, then broadcasts."""

    INTERACTIVE = 0
    REMINDER = 10
    BROADCAST = 20


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: str
    method: str
    payload: dict[str, Any]
    priority: int
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: str,
    payload: dict[str, Any],
    key: str,
    now: dt.datetime,
    priority: Priority = Priority.INTERACTIVE,
    method: str = "sendMessage",
    not_before: dt.datetime | None = None,
    person_id: int | None = None,
    programme_id: int | None = None,
    ref: str | None = None,
    channel: str = "telegram",
) -> bool:
    """Add a message unless one with the same key exists; True when it was added.

    `channel` is how it travels: "telegram" (chat_id is a Telegram chat) or "email" (chat_id is
    an e-mail address).
    """
    values = {
        "chat_id": chat_id,
        "payload": payload,
        "idempotency_key": key[:200],
        "priority": int(priority),
        "method": method,
        "channel": channel,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "not_before": not_before or now,
        "created_at": now,
        "person_id": person_id,
        "programme_id": programme_id,
        "ref": ref,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = await session.execute(stmt)
    session.info["outbox"] = True  # lets the sender wake up right after the commit
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession,
    *,
    worker: str,
    now: dt.datetime,
    limit: int,
    skip_priorities: frozenset[int] = frozenset(),
) -> list[Claimed]:
    """Mark up to `limit` due rows as `sending` for this worker and return them (commit after)."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if skip_priorities:
        due = due.where(OutboxMessage.priority.not_in(sorted(skip_priorities)))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(await session.scalars(due))
    if not ids:
        return []
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            claimed_by=worker,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.chat_id,
            OutboxMessage.method,
            OutboxMessage.payload,
            OutboxMessage.priority,
            OutboxMessage.attempts,
        )
    )
    rows = [
        Claimed(r.id, r.chat_id, r.method, r.payload, r.priority, r.attempts) for r in result.all()
    ]
    return sorted(rows, key=lambda r: ids.index(r.id))  # the order selected: priority, time


async def _set(session: AsyncSession, row_id: int, **values: Any) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(**values)
    )


async def mark_sent(
    session: AsyncSession, row_id: int, message_id: int | None, now: dt.datetime
) -> None:
    await _set(
        session, row_id, status=OutboxStatus.SENT, sent_at=now, telegram_message_id=message_id
    )


async def mark_retry(
    session: AsyncSession, row_id: int, not_before: dt.datetime, error: str
) -> None:
    await _set(
        session,
        row_id,
        status=OutboxStatus.PENDING,
        not_before=not_before,
        last_error=error[:300],
        claimed_by=None,
    )


async def give_back(session: AsyncSession, row_id: int, now: dt.datetime) -> None:
    """A claimed row that was never handed to Telegram (shutdown): pending again, as before."""
    await _set(
        session,
        row_id,
        status=OutboxStatus.PENDING,
        not_before=now,
        claimed_by=None,
        attempts=OutboxMessage.attempts - 1,
    )


async def mark_final(session: AsyncSession, row_id: int, status: OutboxStatus, error: str) -> None:
    """`failed` (Telegram refused it for good) or `unreachable` (the person blocked the bot)."""
    await _set(session, row_id, status=status, last_error=error[:300])


async def drop_pending_for_chat(session: AsyncSession, chat_id: str, reason: str) -> int:
    """Stop all pending messages to a chat that can no longer be reached."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.UNREACHABLE, last_error=reason[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def recover_abandoned(
    session: AsyncSession, worker: str | None, older_than: dt.datetime
) -> int:
    """Rows left `sending` by a dead worker: maybe sent, so never again (`uncertain`)."""
    condition = OutboxMessage.status == OutboxStatus.SENDING
    if worker is not None:
        condition = condition & (
            (OutboxMessage.claimed_by == worker) | (OutboxMessage.claimed_at < older_than)
        )
    else:
        condition = condition & (OutboxMessage.claimed_at < older_than)
    result = await session.execute(
        update(OutboxMessage)
        .where(condition)
        .values(status=OutboxStatus.UNCERTAIN, last_error="worker stopped during send")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_seconds: float
    by_status: dict[str, int]


async def stats(session: AsyncSession, now: dt.datetime) -> OutboxStats:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts: dict[str, int] = {str(status.value): count for status, count in rows.all()}
    oldest = await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
        )
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    age = (now - oldest).total_seconds() if oldest else 0.0
    return OutboxStats(
        pending=counts.get(OutboxStatus.PENDING, 0),
        oldest_pending_seconds=max(age, 0.0),
        by_status=counts,
    )
