"""Queries of nazorg (issue 7): candidates in batches, nudge records, preferences, replies,
the follow-up list and figures.

The sweep never loads everyone: Citytrainers are read in keyset batches (`BATCH` people by
person id), with their last activity, preferences, nudges and reachability fetched per batch.
Nudge rows are inserted with ON CONFLICT DO NOTHING on (person, cycle start, step) and return
what was really inserted; only those get an outbox row (`storage.outbox.enqueue_many`: ON
CONFLICT DO NOTHING on the idempotency key, quiet hours applied). Two sweeps at once therefore
write each step once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.nazorg.engagement import NudgeRecord, NudgeStep, ReplyAnswer, Wording
from domain.nazorg.settings import NazorgSettings, RunKind
from domain.roles import Role
from storage import people
from storage.models import (
    ChannelIdentity,
    Person,
    Programme,
    RoleGrant,
)
from storage.nazorg.activity import activity_events, last_activity_by_person
from storage.nazorg.models import NazorgNudge, NazorgPreference, NazorgReply, NazorgSweepRun
from storage.types import valid_id

BATCH = 1000
TELEGRAM = "telegram"


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def aware(value: Any) -> dt.datetime | None:
    """A datetime from a computed column (SQLite may hand back text or naive values)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    moment: dt.datetime = value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def settings_of(programme: Programme) -> NazorgSettings:
    return NazorgSettings.from_mapping(programme.settings)


async def programmes(session: AsyncSession) -> list[Programme]:
    return list(await session.scalars(select(Programme).order_by(Programme.id)))


async def claim_run(
    session: AsyncSession, programme_id: int, kind: RunKind, period: str, now: dt.datetime
) -> bool:
    """True for the first caller of (programme, kind, period); a second one gets False."""
    stmt = (
        _insert(session)(NazorgSweepRun)
        .values(programme_id=programme_id, kind=kind, period=period, ran_at=now)
        .on_conflict_do_nothing(index_elements=["programme_id", "kind", "period"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- candidates ------------------------------------------------------------------------------


@dataclass
class Candidate:
    person_id: int
    certified_at: dt.datetime
    first_name: str | None = None
    birth_date: dt.date | None = None
    postcode: str | None = None
    chat_id: str | None = None
    reachable: bool = False
    last_activity: dt.datetime | None = None
    nudges: list[NudgeRecord] = field(default_factory=list)
    paused_until: dt.date | None = None
    stopped: bool = False
    nudges_off: bool = False


def _active_citytrainers(programme_id: int) -> Any:
    return (
        select(RoleGrant.person_id, func.min(RoleGrant.granted_at).label("certified_at"))
        .where(
            RoleGrant.programme_id == programme_id,
            RoleGrant.role == Role.CITYTRAINER.value,
            people.active_grant(),
        )
        .group_by(RoleGrant.person_id)
    )


async def candidate_batches(
    session: AsyncSession, programme_id: int, batch: int = BATCH
) -> AsyncIterator[list[Candidate]]:
    """Every active Citytrainer of the programme, `batch` at a time (ordered by person id)."""
    after = 0
    base = _active_citytrainers(programme_id)
    while True:
        rows = (
            await session.execute(
                base.where(RoleGrant.person_id > after).order_by(RoleGrant.person_id).limit(batch)
            )
        ).all()
        if not rows:
            return
        after = rows[-1].person_id
        found = {r.person_id: Candidate(r.person_id, r.certified_at) for r in rows}
        await _fill(session, found)
        yield list(found.values())
        if len(rows) < batch:
            return


async def _fill(session: AsyncSession, found: dict[int, Candidate]) -> None:
    ids = list(found)
    people = await session.execute(
        select(
            Person.id,
            Person.first_name,
            Person.birth_date,
            Person.postcode,
            Person.anonymised_at,
            ChannelIdentity.chat_id,
            ChannelIdentity.reachable,
        )
        .outerjoin(
            ChannelIdentity,
            and_(ChannelIdentity.person_id == Person.id, ChannelIdentity.channel == TELEGRAM),
        )
        .where(Person.id.in_(ids))
    )
    for row in people.all():
        c = found[row.id]
        c.first_name, c.birth_date, c.postcode = row.first_name, row.birth_date, row.postcode
        c.chat_id = row.chat_id
        c.reachable = bool(row.reachable) and row.chat_id is not None and row.anonymised_at is None
    last = last_activity_by_person(lambda column: column.in_(ids))
    for person_id, last_at in (await session.execute(select(last))).all():
        found[cast(int, person_id)].last_activity = aware(last_at)
    prefs = await session.scalars(
        select(NazorgPreference).where(NazorgPreference.person_id.in_(ids))
    )
    for pref in prefs:
        c = found[pref.person_id]
        c.paused_until, c.nudges_off = pref.paused_until, pref.nudges_off
        c.stopped = pref.stopped_at is not None
    nudges = await session.execute(
        select(
            NazorgNudge.person_id, NazorgNudge.step, NazorgNudge.created_at, NazorgNudge.wording
        ).where(NazorgNudge.person_id.in_(ids))
    )
    for person_id, step, at, wording in nudges.all():
        found[person_id].nudges.append(NudgeRecord(step, at, wording))


# --- recording nudges ----------------------------------------------------------------------


async def record_nudges(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> set[tuple[int, NudgeStep]]:
    """Insert nudge rows, skipping (person, cycle_start, step) already present.

    Returns the (person_id, step) pairs really inserted by this call.
    """
    if not rows:
        return set()
    table = NazorgNudge.__table__
    stmt = (
        _insert(session)(table)
        .on_conflict_do_nothing(index_elements=["person_id", "cycle_start", "step"])
        .returning(table.c.person_id, table.c.step)
    )
    result = await session.execute(stmt, list(rows))  # executemany ("insertmanyvalues")
    inserted: set[tuple[int, NudgeStep]] = {(r.person_id, r.step) for r in result.all()}
    return inserted


# --- preferences and replies -----------------------------------------------------------------


async def preference(session: AsyncSession, person_id: int, now: dt.datetime) -> NazorgPreference:
    pref = await session.get(NazorgPreference, person_id)
    if pref is None:
        pref = NazorgPreference(person_id=person_id, nudges_off=False, updated_at=now)
        session.add(pref)
        await session.flush()
    return pref


async def nudges_on(session: AsyncSession, person_id: int) -> bool:
    pref = await session.get(NazorgPreference, person_id)
    return pref is None or (not pref.nudges_off and pref.stopped_at is None)


async def latest_nudge(session: AsyncSession, person_id: int) -> NazorgNudge | None:
    return await session.scalar(
        select(NazorgNudge)
        .where(
            NazorgNudge.person_id == person_id,
            NazorgNudge.step.in_((NudgeStep.FIRST, NudgeStep.SECOND)),
        )
        .order_by(NazorgNudge.created_at.desc(), NazorgNudge.id.desc())
        .limit(1)
    )


async def open_nudge(
    session: AsyncSession, person_id: int, *, lock: bool = False
) -> NazorgNudge | None:
    """The nudge a tap of `person_id` answers: their own latest nudge message (first or second
    step, with a wording: a message was written), when it has no answer yet; else None.

    The buttons under a nudge carry no nudge id, so an answer is bound here, by the tapper's
    person id: a forged `nz:` payload can only reach the tapper's own nudge, and a nudge is
    answered once. `lock` holds the nudge row (PostgreSQL) until the transaction ends, so two
    taps at once cannot both answer it.
    """
    query = (
        select(NazorgNudge)
        .where(
            NazorgNudge.person_id == person_id,
            NazorgNudge.step.in_((NudgeStep.FIRST, NudgeStep.SECOND)),
        )
        .order_by(NazorgNudge.created_at.desc(), NazorgNudge.id.desc())
        .limit(1)
    )
    nudge = await session.scalar(query.with_for_update() if lock else query)
    if nudge is None or nudge.wording is None:
        return None
    answered = await session.scalar(
        select(NazorgReply.id).where(NazorgReply.nudge_id == nudge.id).limit(1)
    )
    return None if answered is not None else nudge


async def answer_nudge(
    session: AsyncSession,
    person_id: int,
    answer: ReplyAnswer,
    now: dt.datetime,
    months: int | None = None,
) -> NazorgReply | None:
    """Record a tapped answer to the person's open nudge (`open_nudge`), once; None, and
    nothing recorded, when no nudge of theirs waits for an answer. Every answer button uses
    this (not `add_reply`)."""
    nudge = await open_nudge(session, person_id, lock=True)
    if nudge is None:
        return None
    return await _reply(session, person_id, nudge.id, answer, now, months)


async def add_reply(
    session: AsyncSession,
    person_id: int,
    answer: ReplyAnswer,
    now: dt.datetime,
    months: int | None = None,
) -> NazorgReply:
    """A reply row for the person's latest nudge, unchecked (seeding data and imports); an
    answer someone taps goes through `answer_nudge`."""
    nudge = await latest_nudge(session, person_id)
    return await _reply(session, person_id, nudge.id if nudge else None, answer, now, months)


async def _reply(
    session: AsyncSession,
    person_id: int,
    nudge_id: int | None,
    answer: ReplyAnswer,
    now: dt.datetime,
    months: int | None,
) -> NazorgReply:
    reply = NazorgReply(
        person_id=person_id, nudge_id=nudge_id, answer=answer, months=months, at=now
    )
    session.add(reply)
    await session.flush()
    return reply


# --- follow-up list ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    nudge_id: int
    person_id: int
    name: str
    added_at: dt.datetime
    history: list[tuple[NudgeStep, dt.datetime, Wording | None]]
    """(step, sent at, wording) of the cycle's nudges, oldest first."""


async def follow_up_list(
    session: AsyncSession, programme_id: int, limit: int | None = None
) -> list[FollowUp]:
    """Open entries: follow_up steps not yet contacted, of people not active since."""
    rows = list(
        await session.scalars(
            select(NazorgNudge)
            .where(
                NazorgNudge.programme_id == programme_id,
                NazorgNudge.step == NudgeStep.FOLLOW_UP,
                NazorgNudge.contacted_at.is_(None),
            )
            .order_by(NazorgNudge.created_at, NazorgNudge.id)
        )
    )
    if not rows:
        return []
    ids = [r.person_id for r in rows]
    last = last_activity_by_person(lambda column: column.in_(ids))
    active = {pid: aware(at) for pid, at in (await session.execute(select(last))).all()}
    names = dict(
        (
            await session.execute(select(Person.id, Person.first_name).where(Person.id.in_(ids)))
        ).all()
    )
    entries = []
    for row in rows:
        seen = active.get(row.person_id)
        if seen is not None and seen > row.cycle_start:
            continue
        history = await session.execute(
            select(NazorgNudge.step, NazorgNudge.created_at, NazorgNudge.wording)
            .where(
                NazorgNudge.person_id == row.person_id,
                NazorgNudge.cycle_start == row.cycle_start,
            )
            .order_by(NazorgNudge.created_at)
        )
        entries.append(
            FollowUp(
                row.id,
                row.person_id,
                names.get(row.person_id) or "?",
                row.created_at,
                [(s, at, w) for s, at, w in history.all()],
            )
        )
        if limit is not None and len(entries) >= limit:
            break
    return entries


async def get_follow_up(session: AsyncSession, nudge_id: int) -> NazorgNudge | None:
    """A nudge on the follow-up list (step follow_up), or None."""
    nudge = await session.get(NazorgNudge, nudge_id) if valid_id(nudge_id) else None
    return nudge if nudge is not None and nudge.step == NudgeStep.FOLLOW_UP else None


async def mark_contacted(
    session: AsyncSession,
    nudge_id: int,
    programme_id: int,
    by: int,
    note: str | None,
    now: dt.datetime,
) -> NazorgNudge | None:
    nudge = await session.get(NazorgNudge, nudge_id)
    if nudge is None or nudge.programme_id != programme_id or nudge.step != NudgeStep.FOLLOW_UP:
        return None
    nudge.contacted_at, nudge.contacted_by, nudge.note = now, by, note
    return nudge


# --- figures ---------------------------------------------------------------------------------


async def nudge_outcomes(
    session: AsyncSession, programme_id: int
) -> list[tuple[NudgeStep, Wording, dt.datetime, dt.datetime | None]]:
    """(step, wording, sent_at, first comeback activity after it) for every message nudge."""
    events = activity_events(comeback_only=True)
    first_after = (
        select(func.min(events.c.at))
        .where(events.c.person_id == NazorgNudge.person_id, events.c.at > NazorgNudge.created_at)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(NazorgNudge.step, NazorgNudge.wording, NazorgNudge.created_at, first_after).where(
            NazorgNudge.programme_id == programme_id,
            NazorgNudge.step.in_((NudgeStep.FIRST, NudgeStep.SECOND)),
            NazorgNudge.wording.is_not(None),
        )
    )
    out: list[tuple[NudgeStep, Wording, dt.datetime, dt.datetime | None]] = []
    for step, wording, sent_at, back in rows.all():
        out.append(
            (
                cast(NudgeStep, step),
                cast(Wording, wording),  # not None: filtered above
                cast(dt.datetime, aware(sent_at)),
                aware(back),
            )
        )
    return out
