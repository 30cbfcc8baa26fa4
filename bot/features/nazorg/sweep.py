"""The nazorg sweeps (issue 7): the daily nudge sweep and the weekly coordinators' digest.

Both are short periodic `Sweep`s that compare `now` with the programme's local time: the nudge
sweep runs once per local day from `sweep_time` (16:00), the digest once per ISO week on
`digest_weekday` from `digest_time` (Monday 09:00). A run is claimed with a unique row
(`nazorg_sweep_run`), and every nudge is a unique row plus an outbox row with an idempotency
key, so a second run, a restart or a second worker writes nothing twice. Messages to people
younger than 18 (or of unknown age) never land between 21:00 and 08:00 (`deliver_at`).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.nazorg.keys import digest_key, nudge_key
from bot.features.nazorg.texts import OpportunityLine, nudge_buttons, nudge_text
from bot.kit import notify
from bot.kit.sweep import Sweep
from domain.dates import age_on
from domain.nazorg.engagement import (
    NudgeDecision,
    NudgeStep,
    NudgeSubject,
    assign_wording,
    next_nudge_step,
)
from domain.nazorg.settings import NazorgSettings, RunKind, digest_due, sweep_due, week_label
from domain.opportunities import matching
from domain.reminders import deliver_at
from storage import people
from storage.models import Programme
from storage.nazorg import queries as nazorg
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity
from storage.outbox import Priority
from storage.signup import queries as signups

STEP_OF = {
    NudgeDecision.SEND_FIRST: NudgeStep.FIRST,
    NudgeDecision.SEND_SECOND: NudgeStep.SECOND,
    NudgeDecision.ADD_TO_FOLLOW_UP: NudgeStep.FOLLOW_UP,
}


def _tz(programme: Programme) -> ZoneInfo:
    try:
        return ZoneInfo(programme.timezone or "Europe/Amsterdam")
    except (KeyError, ValueError):  # pragma: no cover
        return ZoneInfo("Europe/Amsterdam")


class OpportunitySource:
    """Open opportunities of a programme (loaded once a sweep) and matching per batch.

    Uses the opportunities feature's storage (`list_open`, `match_opportunity`) and the signup
    feature's tracks (`storage.signup.queries.tracks_of`).
    """

    def __init__(self, session: AsyncSession, programme_id: int, now: dt.datetime) -> None:
        self.session, self.programme_id, self.now = session, programme_id, now
        self.open: list[tuple[Opportunity, matching.MatchOpportunity]] = []
        self.by_id: dict[int, Opportunity] = {}

    async def load(self) -> None:
        found = await opportunities.list_open(self.session, self.programme_id, self.now)
        self.open = [(o, opportunities.match_opportunity(o)) for o in found]
        self.by_id = {o.id: o for o, _ in self.open}

    async def tracks(self, ids: list[int]) -> dict[int, str]:
        return await signups.tracks_of(self.session, ids)

    async def signed_up(self, ids: list[int]) -> dict[int, set[int]]:
        if not self.open:
            return {}
        from sqlalchemy import select

        from storage.opportunities.models import OpportunitySignup

        rows = await self.session.execute(
            select(OpportunitySignup.person_id, OpportunitySignup.opportunity_id).where(
                OpportunitySignup.person_id.in_(ids),
                OpportunitySignup.status.in_(("placed", "waiting")),
            )
        )
        out: dict[int, set[int]] = {}
        for pid, oid in rows.all():
            out.setdefault(pid, set()).add(oid)
        return out

    async def opted_out(self, ids: list[int]) -> set[int]:
        if not self.open:
            return set()
        from sqlalchemy import select

        from storage.opportunities.models import OpportunityPreference

        rows = await self.session.scalars(
            select(OpportunityPreference.person_id).where(
                OpportunityPreference.person_id.in_(ids),
                OpportunityPreference.opportunity_messages.is_(False),
            )
        )
        return set(rows)

    def best(self, who: matching.MatchPerson) -> list[OpportunityLine]:
        if not self.open:
            return []
        found = matching.best_matches(who, [m for _, m in self.open], self.now)
        lines = []
        for m in found:
            o = self.by_id[m.opportunity_id]
            lines.append(OpportunityLine(o.title, o.starts_at, o.deadline))
        return lines


async def run_nudges(
    session: AsyncSession,
    programme: Programme,
    now: dt.datetime,
    settings: NazorgSettings,
    *,
    rng: random.Random | None = None,
    batch: int = nazorg.BATCH,
) -> dict[str, int]:
    """Decide and write the due nudge steps of one programme; returns counts per step."""
    rng = rng or random.Random()
    tz = _tz(programme)
    today = now.astimezone(tz).date()
    opps = OpportunitySource(session, programme.id, now)
    await opps.load()
    counts: dict[str, int] = {step.value: 0 for step in NudgeStep}
    buttons = nudge_buttons().model_dump(mode="json", exclude_none=True)  # the same for all
    async for group in nazorg.candidate_batches(session, programme.id, batch):
        due: list[tuple[nazorg.Candidate, NudgeStep, dt.datetime]] = []
        for c in group:
            subject = NudgeSubject(
                certified_at=c.certified_at,
                last_activity=c.last_activity,
                nudges=c.nudges,
                paused_until=c.paused_until,
                today=today,
                stopped=c.stopped,
                nudges_off=c.nudges_off,
                reachable=c.reachable,
            )
            decision = next_nudge_step(subject, now, settings.rules)
            if decision is NudgeDecision.NOTHING:
                continue
            cycle_start = c.last_activity or c.certified_at
            due.append((c, STEP_OF[decision], cycle_start))
        if not due:
            continue
        ids = [c.person_id for c, step, _ in due if step is not NudgeStep.FOLLOW_UP]
        tracks = await opps.tracks(ids) if ids else {}
        signed = await opps.signed_up(ids) if ids else {}
        opted = await opps.opted_out(ids) if ids else set()
        nudge_rows: list[dict[str, Any]] = []
        messages: dict[tuple[int, NudgeStep], list[dict[str, Any]]] = {}
        for c, step, cycle_start in due:
            key = nudge_key(c.person_id, cycle_start, step)
            row: dict[str, Any] = {
                "programme_id": programme.id,
                "person_id": c.person_id,
                "cycle_start": cycle_start,
                "step": step,
                "wording": None,
                "created_at": now,
                "deliver_at": None,
                "outbox_key": None,
            }
            if step is not NudgeStep.FOLLOW_UP and c.chat_id is not None:
                wording = assign_wording(rng.random(), settings.rules)
                track = tracks.get(c.person_id)
                who = matching.MatchPerson(
                    person_id=c.person_id,
                    track=_track(track),
                    birth_date=c.birth_date,
                    postcode=c.postcode,
                    opportunity_messages_off=c.person_id in opted,
                    signed_up_for=frozenset(signed.get(c.person_id, ())),
                )
                age = age_on(c.birth_date, today) if c.birth_date else None
                when = deliver_at(now, age, tz=tz)
                text = nudge_text(step, wording, c.first_name or "", track, opps.best(who))
                payload = {"text": text, "reply_markup": buttons}
                row.update(wording=wording, deliver_at=when, outbox_key=key)
                messages[(c.person_id, step)] = notify.rows(
                    chat_id=c.chat_id,
                    payload=payload,
                    key=key,
                    now=now,
                    priority=Priority.REMINDER,
                    not_before=when,
                    person_id=c.person_id,
                    programme_id=programme.id,
                )
            nudge_rows.append(row)
        inserted = await nazorg.record_nudges(session, nudge_rows)
        await notify.enqueue_many(
            session, [m for k, ms in messages.items() if k in inserted for m in ms], now=now
        )
        for _person, inserted_step in inserted:
            counts[inserted_step] += 1
    return counts


def _track(value: str | None) -> matching.Track:
    try:
        return matching.Track(value) if value else matching.Track.BOTH
    except ValueError:
        return matching.Track.BOTH


async def nudge_sweep_run(session: AsyncSession, now: dt.datetime) -> None:
    for programme in await nazorg.programmes(session):
        settings = nazorg.settings_of(programme)
        local = now.astimezone(_tz(programme))
        if not sweep_due(local, settings):
            continue
        if not await nazorg.claim_run(
            session, programme.id, RunKind.SWEEP, local.date().isoformat(), now
        ):
            continue
        await run_nudges(session, programme, now, settings)


async def digest_sweep_run(session: AsyncSession, now: dt.datetime) -> None:
    from bot.features.nazorg.digest import send_digest

    for programme in await nazorg.programmes(session):
        settings = nazorg.settings_of(programme)
        local = now.astimezone(_tz(programme))
        if not digest_due(local, settings):
            continue
        period = week_label(local.date())
        if not await nazorg.claim_run(session, programme.id, RunKind.DIGEST, period, now):
            continue
        for chat in await people.coordinator_chats(session, programme.id):
            await send_digest(session, programme, chat, now, key=digest_key(period, chat))


def nazorg_sweeps() -> list[Sweep]:
    return [Sweep("nazorg_nudges", nudge_sweep_run), Sweep("nazorg_digest", digest_sweep_run)]
