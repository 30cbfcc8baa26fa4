"""The outbox: messages that must reach someone later, and the queries of its sender.

A row is written in the same transaction as the change that causes it, with a unique
idempotency key (a second write with the same key is ignored). The sender claims due rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers can share the table) as `claimed`,
and marks each one `sending` (committed) only just before its own call, then records the
outcome. A worker that dies leaves at most the one row it was sending `sending`: `recover`
turns it `uncertain` (it may have arrived) and never sends it again, so nobody gets a message
twice; the rows it had only claimed go back to `pending` (they never reached Telegram).
Retries go on for a window of time (`RETRY_WINDOW`), then the row is `dead`; whoever the row
names in `report_to` is told of a lost message (`lost_to_report`).

Quiet hours (issue 11, point 6) are kept here, for every row, so no feature can forget them:
every row written (`enqueue`, `enqueue_many`) gets its `not_before` from
`domain.reminders.not_before_for` for its recipients: a message for a minor that would go
between 21:00 and 08:00 (the programme's local time) waits until 08:00, whatever `not_before`
the caller passed (a later one is kept). The recipients are the row's person, or else the
people whose Telegram chat it is; who counts as an adult is `domain.reminders.counts_as_adult`
(a known date of birth decides; without one, staff roles count as adults, everyone else as a
minor). A row with no known recipient (an unknown chat) counts as a minor's. E-mail is not delayed:
the bot e-mails only parents, and an e-mail is read when its reader chooses.
`claim_due` checks the same rule again before it hands a row to the sender, so a row written
past `enqueue` or moved by a retry into the night waits until 08:00 as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dates import local_today
from domain.local_time import AMSTERDAM
from domain.reminders import counts_as_adult, not_before_for
from domain.roles import Role, parse_roles
from storage.models import (
    LOST_STATUSES,
    ChannelIdentity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Programme,
    RoleGrant,
)

TELEGRAM = "telegram"


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
    attempts: int  # calls made before this one
    first_attempt_at: dt.datetime | None = None  # the retry window counts from here


def row(
    *,
    chat_id: str,
    payload: dict[str, Any],
    key: str,
    now: dt.datetime,
    priority: int = Priority.INTERACTIVE,
    method: str = "sendMessage",
    not_before: dt.datetime | None = None,
    person_id: int | None = None,
    programme_id: int | None = None,
    ref: str | None = None,
    channel: str = TELEGRAM,
    report_to: int | None = None,
) -> dict[str, Any]:
    """The columns of a new pending row, for `enqueue_many` (quiet hours are applied there)."""
    return {
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
        "report_to": report_to,
    }


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
    channel: str = TELEGRAM,
    report_to: int | None = None,
) -> bool:
    """Add a message unless one with the same key exists; True when it was added.

    `channel` is how it travels: "telegram" (chat_id is a Telegram chat) or "email" (chat_id is
    an e-mail address). `not_before` is moved out of the quiet hours for minors (module doc).
    `report_to`: the person told if this message is lost (a coordinator's answer, say).
    """
    values = row(
        chat_id=chat_id,
        payload=payload,
        key=key,
        now=now,
        priority=priority,
        method=method,
        not_before=not_before,
        person_id=person_id,
        programme_id=programme_id,
        ref=ref,
        channel=channel,
        report_to=report_to,
    )
    return await enqueue_many(session, [values], now=now) == 1


async def enqueue_many(
    session: AsyncSession, rows: Sequence[dict[str, Any]], *, now: dt.datetime
) -> int:
    """Add many rows (built with `row`) in one statement, skipping existing keys; returns how
    many were added. Quiet hours are applied to each row's `not_before` (module doc)."""
    if not rows:
        return 0
    safe = [dict(values) for values in rows]
    recipients = await _recipients(session, [_Address.of(values) for values in safe])
    for values, who in zip(safe, recipients, strict=True):
        values["not_before"] = who.not_before(now, values["not_before"])
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, OutboxMessage.__table__)
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)  # counts the rows added, also for executemany on PostgreSQL
    )
    if len(safe) == 1:
        result = await session.execute(stmt.values(**safe[0]))
    else:
        result = await session.execute(stmt, safe)  # executemany ("insertmanyvalues")
    session.info["outbox"] = True  # lets the sender wake up right after the commit
    return len(result.all())


# --- quiet hours: who a row is for -------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else AMSTERDAM
    except (KeyError, ValueError):
        return AMSTERDAM


@dataclass(frozen=True)
class _Address:
    """Where a row goes, as far as it tells who reads it."""

    person_id: int | None
    chat_id: str
    channel: str
    programme_id: int | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> _Address:
        return cls(
            values.get("person_id"),
            str(values["chat_id"]),
            str(values.get("channel") or TELEGRAM),
            values.get("programme_id"),
        )


@dataclass
class _Reader:
    """One person who reads a row's chat: date of birth, active roles, the programme's zone."""

    birth_date: dt.date | None
    zone: ZoneInfo
    roles: set[Role] = field(default_factory=set)

    def not_before(self, now: dt.datetime, requested: dt.datetime | None) -> dt.datetime:
        today = local_today(now, self.zone)
        adult = counts_as_adult(self.birth_date, frozenset(self.roles), today)
        return not_before_for(now, requested, adult=adult, tz=self.zone)


@dataclass
class _Recipients:
    """Everyone who reads a row (nobody known: treated as a minor in `zone`)."""

    readers: list[_Reader]
    zone: ZoneInfo
    email: bool = False

    def not_before(self, now: dt.datetime, requested: dt.datetime | None) -> dt.datetime:
        if self.email:  # e-mail goes to parents, and is read when the reader chooses
            return not_before_for(now, requested, adult=True, tz=self.zone)
        if not self.readers:
            return not_before_for(now, requested, adult=False, tz=self.zone)
        return max(reader.not_before(now, requested) for reader in self.readers)


async def _recipients(session: AsyncSession, addresses: list[_Address]) -> list[_Recipients]:
    """The readers of each address: its person, or else the people of its Telegram chat."""
    by_chat = await _people_of_chats(
        session, {a.chat_id for a in addresses if a.person_id is None and a.channel == TELEGRAM}
    )
    readers = await _readers(session, {i for a in addresses for i in _reader_ids(a, by_chat)})
    nobody = {  # rows nobody known reads: the programme's zone, if any
        a.programme_id
        for a in addresses
        if a.programme_id is not None and not _reader_ids(a, by_chat) & readers.keys()
    }
    zones: dict[int, ZoneInfo] = {}
    if nobody:
        found = await session.execute(
            select(Programme.id, Programme.timezone).where(Programme.id.in_(sorted(nobody)))
        )
        zones = {programme_id: _zone(timezone) for programme_id, timezone in found.all()}
    result = []
    for a in addresses:
        who = [readers[i] for i in sorted(_reader_ids(a, by_chat)) if i in readers]
        zone = zones.get(a.programme_id, AMSTERDAM) if a.programme_id is not None else AMSTERDAM
        result.append(_Recipients(who, zone, email=a.channel != TELEGRAM))
    return result


async def _people_of_chats(session: AsyncSession, chats: set[str]) -> dict[str, set[int]]:
    if not chats:
        return {}
    found = await session.execute(
        select(ChannelIdentity.chat_id, ChannelIdentity.person_id).where(
            ChannelIdentity.channel == TELEGRAM, ChannelIdentity.chat_id.in_(sorted(chats))
        )
    )
    by_chat: dict[str, set[int]] = {}
    for chat_id, person_id in found.all():
        by_chat.setdefault(chat_id, set()).add(person_id)
    return by_chat


async def _readers(session: AsyncSession, ids: set[int]) -> dict[int, _Reader]:
    """Date of birth, active roles and zone of each person (one query)."""
    if not ids:
        return {}
    found = await session.execute(
        select(Person.id, Person.birth_date, Programme.timezone, RoleGrant.role)
        .join(Programme, Programme.id == Person.programme_id)
        .outerjoin(
            RoleGrant,
            and_(
                RoleGrant.person_id == Person.id,
                RoleGrant.programme_id == Person.programme_id,  # roles count only there
                RoleGrant.revoked_at.is_(None),
            ),
        )
        .where(Person.id.in_(sorted(ids)))
    )
    readers: dict[int, _Reader] = {}
    for person_id, birth_date, timezone, role in found.all():
        reader = readers.setdefault(person_id, _Reader(birth_date, _zone(timezone)))
        reader.roles.update(parse_roles([role] if role else []))
    return readers


def _reader_ids(address: _Address, by_chat: dict[str, set[int]]) -> set[int]:
    """Who reads a row: its person, or the people of its chat; nobody known for e-mail (the
    row's person is whom the e-mail is about; anyone may read an address)."""
    if address.channel != TELEGRAM:
        return set()
    if address.person_id is not None:
        return {address.person_id}
    return by_chat.get(address.chat_id, set())


async def claim_due(
    session: AsyncSession,
    *,
    worker: str,
    now: dt.datetime,
    limit: int,
    skip_priorities: frozenset[int] = frozenset(),
) -> list[Claimed]:
    """Mark up to `limit` due rows `claimed` by this worker and return them (commit after).

    A claimed row is not handed to Telegram yet: `start_sending` marks it `sending` just before
    its own call. Claimed rows of a worker that stopped go back to `pending` (`recover`)."""
    due = (
        select(
            OutboxMessage.id,
            OutboxMessage.person_id,
            OutboxMessage.chat_id,
            OutboxMessage.channel,
            OutboxMessage.programme_id,
            OutboxMessage.not_before,
        )
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if skip_priorities:
        due = due.where(OutboxMessage.priority.not_in(sorted(skip_priorities)))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    candidates = (await session.execute(due)).all()
    ids = await _outside_quiet_hours(session, candidates, now)
    if not ids:
        return []
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CLAIMED, claimed_at=now, claimed_by=worker)
        .returning(
            OutboxMessage.id,
            OutboxMessage.chat_id,
            OutboxMessage.method,
            OutboxMessage.payload,
            OutboxMessage.priority,
            OutboxMessage.attempts,
            OutboxMessage.first_attempt_at,
        )
    )
    rows = [
        Claimed(
            r.id,
            r.chat_id,
            r.method,
            r.payload,
            r.priority,
            r.attempts,
            _aware(r.first_attempt_at),
        )
        for r in result.all()
    ]
    return sorted(rows, key=lambda r: ids.index(r.id))  # the order selected: priority, time


async def _outside_quiet_hours(
    session: AsyncSession, candidates: Sequence[Any], now: dt.datetime
) -> list[int]:
    """The ids of due rows that may go now; the others (a minor's row at night that did not
    come through `enqueue`, or was moved into the night by a retry) wait until 08:00."""
    if not candidates:
        return []
    addresses = [
        _Address(c.person_id, c.chat_id, c.channel or TELEGRAM, c.programme_id) for c in candidates
    ]
    ids = []
    for c, who in zip(candidates, await _recipients(session, addresses), strict=True):
        release = who.not_before(now, c.not_before)
        if release <= now:
            ids.append(c.id)
            continue
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == c.id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(not_before=release)
        )
    return ids


RETRY_WINDOW = dt.timedelta(hours=24)
"""How long a message that Telegram (or the mail server) could not take is tried again."""
CLAIM_LEASE = dt.timedelta(minutes=2)
"""A claimed row untouched this long belongs to a sender that stopped: pending again."""
SENDING_LEASE = dt.timedelta(minutes=2)
"""A row `sending` this long outlived its call (the request timeout is far shorter)."""


async def start_sending(session: AsyncSession, row_id: int, worker: str, now: dt.datetime) -> bool:
    """Mark this worker's claimed row `sending` (commit before the call); False when it is no
    longer ours (recovered after a long pause): then it must not be sent."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.CLAIMED,
            OutboxMessage.claimed_by == worker,
        )
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
            first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
        )
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


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
    """A call that failed without reaching the person: due again at `not_before`."""
    await _set(
        session,
        row_id,
        status=OutboxStatus.PENDING,
        not_before=not_before,
        last_error=error[:300],
        claimed_by=None,
    )


async def give_back(
    session: AsyncSession, row_ids: Sequence[int], worker: str, not_before: dt.datetime
) -> int:
    """Claimed rows this worker never handed to Telegram: pending again, due at `not_before`
    (now, or when a paused lane opens)."""
    if not row_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(row_ids)),
            OutboxMessage.status == OutboxStatus.CLAIMED,
            OutboxMessage.claimed_by == worker,
        )
        .values(status=OutboxStatus.PENDING, not_before=not_before, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_final(session: AsyncSession, row_id: int, status: OutboxStatus, error: str) -> None:
    """`failed` (refused for good), `unreachable` (the person blocked the bot), `uncertain`
    (the call timed out: it may have arrived) or `dead` (the retry window is over)."""
    await _set(session, row_id, status=status, last_error=error[:300])


def window_over(first_attempt_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Has a row tried since `first_attempt_at` used up its retry window?"""
    if first_attempt_at is None:
        return False
    if first_attempt_at.tzinfo is None:
        first_attempt_at = first_attempt_at.replace(tzinfo=dt.UTC)
    return now - first_attempt_at >= RETRY_WINDOW


async def drop_pending_for_chat(session: AsyncSession, chat_id: str, reason: str) -> int:
    """Stop all pending messages to a chat that can no longer be reached."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.UNREACHABLE, last_error=reason[:300])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recovered:
    released: int  # claimed, never sent: pending again
    uncertain: list[int]  # mid-call when their sender stopped: never resent


async def recover(
    session: AsyncSession,
    now: dt.datetime,
    *,
    claim_lease: dt.timedelta = CLAIM_LEASE,
    sending_lease: dt.timedelta = SENDING_LEASE,
) -> Recovered:
    """Rows of senders that stopped (crash, kill, lost connection): run periodically.

    A `claimed` row untouched for `CLAIM_LEASE` never reached Telegram: pending again. A
    `sending` row older than `SENDING_LEASE` was mid-call: `uncertain`, never resent.
    """
    released = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.CLAIMED,
            OutboxMessage.claimed_at < now - claim_lease,
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None)
    )
    stuck = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - sending_lease,
        )
        .values(status=OutboxStatus.UNCERTAIN, last_error="sender stopped during the call")
        .returning(OutboxMessage.id)
    )
    return Recovered(
        int(released.rowcount or 0),  # type: ignore[attr-defined]
        sorted(stuck.scalars().all()),
    )


@dataclass(frozen=True)
class Lost:
    id: int
    status: OutboxStatus
    report_to: int
    person_id: int | None
    chat_id: str
    programme_id: int | None


async def lost_to_report(session: AsyncSession, ids: Sequence[int]) -> list[Lost]:
    """Of these rows, the lost ones (failed, uncertain, dead) that name someone to tell."""
    if not ids:
        return []
    rows = await session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.report_to,
            OutboxMessage.person_id,
            OutboxMessage.chat_id,
            OutboxMessage.programme_id,
        ).where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status.in_(sorted(LOST_STATUSES)),
            OutboxMessage.report_to.is_not(None),
        )
    )
    return [
        Lost(r.id, r.status, r.report_to, r.person_id, r.chat_id, r.programme_id)
        for r in rows.all()
        if r.report_to is not None
    ]


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_seconds: float
    by_status: dict[str, int]
    oldest_sending_seconds: float = 0.0  # a row `sending` this long is stuck

    def count(self, status: OutboxStatus) -> int:
        return self.by_status.get(status.value, 0)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _age(now: dt.datetime, since: dt.datetime | None) -> float:
    if since is None:
        return 0.0
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return max((now - since).total_seconds(), 0.0)


async def stats(
    session: AsyncSession, now: dt.datetime, programme_id: int | None = None
) -> OutboxStats:
    """Counts by status and ages; of one programme's messages (by the row's programme, or its
    person's) when `programme_id` is given, of all otherwise (health checks, metrics)."""
    scope = []
    if programme_id is not None:
        people_of = select(Person.id).where(Person.programme_id == programme_id)
        scope.append(
            or_(
                OutboxMessage.programme_id == programme_id,
                and_(OutboxMessage.programme_id.is_(None), OutboxMessage.person_id.in_(people_of)),
            )
        )
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).where(*scope).group_by(OutboxMessage.status)
    )
    counts: dict[str, int] = {str(status.value): count for status, count in rows.all()}
    oldest = await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now, *scope
        )
    )
    sending = await session.scalar(
        select(func.min(OutboxMessage.claimed_at)).where(
            OutboxMessage.status.in_([OutboxStatus.SENDING, OutboxStatus.CLAIMED]), *scope
        )
    )
    return OutboxStats(
        pending=counts.get(OutboxStatus.PENDING, 0),
        oldest_pending_seconds=_age(now, oldest),
        by_status=counts,
        oldest_sending_seconds=_age(now, sending),
    )
