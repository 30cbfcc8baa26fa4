"""Queries of the opportunities feature: opportunities, sign-ups, broadcasts, preferences.

Places are taken with one conditional UPDATE (`places_taken < places`) after locking the
opportunity's row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the UPDATE takes the single
write lock), so many people tapping "Ik doe mee" at once never get more places than exist.

Who may join or see an opportunity is decided in one place, `refusals` (the domain rule
`matching.join_mismatches` on the person's programme, their roles in the opportunity's programme,
track, age and area): `join` calls it in its transaction, after locking the opportunity, so no
button (a forged one included) can take a place it may not; `viewable`, `open_for_person` and
`recipients` use the same rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.opportunities import matching
from domain.opportunities.status import JoinOutcome, OpportunityStatus, SignupStatus
from domain.roles import Role, parse_roles
from storage import outbox, people, refs
from storage.models import ChannelIdentity, OutboxMessage, Person, RoleGrant
from storage.opportunities.models import (
    BroadcastStatus,
    Opportunity,
    OpportunityBroadcast,
    OpportunityPreference,
    OpportunityRecipient,
    OpportunitySignup,
)
from storage.signup.queries import tracks_of

TELEGRAM = "telegram"
# The statuses under their old names (other features use them).
PLACED, WAITING, CANCELLED = SignupStatus.PLACED, SignupStatus.WAITING, SignupStatus.CANCELLED
OPEN, CLOSED = OpportunityStatus.OPEN, OpportunityStatus.CLOSED
TAKEN = (SignupStatus.PLACED, SignupStatus.WAITING)
"""Sign-ups that hold a place or a place on the waiting list (not cancelled)."""
REF_KIND = "op"
"""The kind of the ref of an opportunity's messages ("op:12")."""

log = logging.getLogger(__name__)


# --- preferences and who a person is -------------------------------------------------------


async def set_opportunity_messages(session: AsyncSession, person_id: int, on: bool) -> None:
    """Switch opportunity messages on or off for a person (used by /instellingen)."""
    pref = await session.get(OpportunityPreference, person_id)
    now = dt.datetime.now(dt.UTC)
    if pref is None:
        person = await session.get(Person, person_id)
        if person is None:
            return
        pref = OpportunityPreference(
            person_id=person_id, programme_id=person.programme_id, updated_at=now
        )
        session.add(pref)
    pref.opportunity_messages = on
    pref.updated_at = now
    await session.flush()


async def opportunity_messages_on(session: AsyncSession, person_id: int) -> bool:
    pref = await session.get(OpportunityPreference, person_id)
    return pref is None or pref.opportunity_messages


async def person_track(session: AsyncSession, person_id: int) -> str | None:
    """The person's track ("sport", "culture", "both") or None when unknown."""
    return (await tracks_of(session, [person_id])).get(person_id)


def as_track(value: str | None) -> matching.Track:
    try:
        return matching.Track(value) if value else matching.Track.BOTH
    except ValueError:
        return matching.Track.BOTH


# --- opportunities ---------------------------------------------------------------------------


def neighbourhood_set(opp: Opportunity) -> frozenset[str]:
    parts = (opp.neighbourhoods or "").split(",")
    return frozenset(p.strip() for p in parts if p.strip())


def match_opportunity(opp: Opportunity) -> matching.MatchOpportunity:
    return matching.MatchOpportunity(
        opportunity_id=opp.id,
        track=as_track(opp.track),
        starts_at=opp.starts_at,
        signup_deadline=opp.deadline,
        min_age=opp.min_age,
        neighbourhoods=neighbourhood_set(opp),
        places_left=max(opp.places - opp.places_taken, 0),
    )


def is_open(opp: Opportunity, now: dt.datetime) -> bool:
    if opp.status != OpportunityStatus.OPEN:
        return False
    if opp.deadline is not None and now >= opp.deadline:
        return False
    return opp.starts_at is None or now < opp.starts_at


async def get(session: AsyncSession, opportunity_id: int) -> Opportunity | None:
    return await session.get(Opportunity, opportunity_id)


async def list_open(
    session: AsyncSession, programme_id: int, now: dt.datetime
) -> list[Opportunity]:
    rows = await session.scalars(
        select(Opportunity)
        .where(
            Opportunity.programme_id == programme_id,
            Opportunity.status == OpportunityStatus.OPEN,
        )
        .order_by(Opportunity.starts_at.is_(None), Opportunity.starts_at, Opportunity.id)
    )
    return [o for o in rows if is_open(o, now)]


async def open_for_person(
    session: AsyncSession, person: Person, now: dt.datetime
) -> list[Opportunity]:
    """Open opportunities of the person's programme they may join (role, track, age, area),
    soonest first."""
    who = await _match_person(session, person)
    roles = await roles_in(session, person.id, person.programme_id)
    return [
        o
        for o in await list_open(session, person.programme_id, now)
        if not matching.join_mismatches(
            who,
            match_opportunity(o),
            now,
            same_programme=True,
            roles=roles,
            for_trainees=o.for_trainees,
        )
    ]


async def _match_person(session: AsyncSession, person: Person) -> matching.MatchPerson:
    return matching.MatchPerson(
        person_id=person.id,
        track=as_track(await person_track(session, person.id)),
        birth_date=person.birth_date,
        postcode=person.postcode,
    )


async def roles_in(session: AsyncSession, person_id: int, programme_id: int) -> frozenset[Role]:
    """The person's active roles in one programme."""
    values = await session.scalars(
        select(RoleGrant.role).where(
            RoleGrant.person_id == person_id,
            RoleGrant.programme_id == programme_id,
            people.active_grant(),
        )
    )
    return parse_roles(list(values))


async def refusals(
    session: AsyncSession, opp: Opportunity, person_id: int, now: dt.datetime
) -> tuple[matching.Mismatch, ...]:
    """Why the person may not join the opportunity (empty: they may); see the module docstring.

    An unknown or deleted person holds no role.
    """
    person = await session.get(Person, person_id)
    if person is None or person.anonymised_at is not None:
        return (matching.Mismatch.ROLE,)
    return matching.join_mismatches(
        await _match_person(session, person),
        match_opportunity(opp),
        now,
        same_programme=person.programme_id == opp.programme_id,
        roles=await roles_in(session, person_id, opp.programme_id),
        for_trainees=opp.for_trainees,
    )


async def viewable(
    session: AsyncSession, opportunity_id: int, person_id: int, now: dt.datetime
) -> Opportunity | None:
    """The opportunity when the person may see it ("Meer info", a /kansen item), else None.

    The same rule as joining, except that a closed opportunity may still be seen. A refusal is
    logged once, without personal data.
    """
    opp = await get(session, opportunity_id)
    if opp is None:
        return None
    refused = [
        m for m in await refusals(session, opp, person_id, now) if m != matching.Mismatch.CLOSED
    ]
    if refused:
        log.warning("opportunity %d: view refused (%s)", opp.id, ",".join(m.value for m in refused))
        return None
    return opp


async def supervisor_chats(session: AsyncSession, organisation_id: int | None) -> list[str]:
    """Chats of the supervisors of an organisation (reachable only)."""
    if organisation_id is None:
        return []
    query = (
        select(ChannelIdentity.chat_id)
        .join(RoleGrant, RoleGrant.person_id == ChannelIdentity.person_id)
        .where(
            RoleGrant.role == Role.SUPERVISOR.value,
            people.active_grant(),
            RoleGrant.organisation_id == organisation_id,
            ChannelIdentity.channel == TELEGRAM,
            ChannelIdentity.reachable.is_(True),
        )
        .distinct()
    )
    return list(await session.scalars(query))


async def find_organisation_id(session: AsyncSession, programme_id: int, name: str) -> int | None:
    from storage.hours.models import Organisation

    return await session.scalar(
        select(Organisation.id).where(
            Organisation.programme_id == programme_id,
            func.lower(Organisation.name) == name.strip().lower(),
        )
    )


# --- recipients and broadcasts -------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: str


async def recipients(
    session: AsyncSession, opp: Opportunity, now: dt.datetime, exclude: int | None = None
) -> list[Recipient]:
    """Matching people who can be reached, have not opted out and did not get it yet.

    `exclude`: a person who never gets it (the Citytrainer asking for helpers).
    """
    roles = [r.value for r in matching.roles_that_may_join(opp.for_trainees)]
    holders = (
        select(RoleGrant.person_id)
        .where(
            RoleGrant.programme_id == opp.programme_id,
            RoleGrant.role.in_(roles),
            people.active_grant(),
        )
        .scalar_subquery()
    )
    opted_out = (
        select(OpportunityPreference.person_id)
        .where(OpportunityPreference.opportunity_messages.is_(False))
        .scalar_subquery()
    )
    already = (
        select(OpportunityRecipient.person_id)
        .where(OpportunityRecipient.opportunity_id == opp.id)
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            select(Person, ChannelIdentity.chat_id)
            .join(ChannelIdentity, ChannelIdentity.person_id == Person.id)
            .where(
                Person.programme_id == opp.programme_id,
                Person.anonymised_at.is_(None),
                Person.id.in_(holders),
                Person.id.not_in(opted_out),
                Person.id.not_in(already),
                Person.id != (exclude or 0),
                ChannelIdentity.channel == TELEGRAM,
                ChannelIdentity.reachable.is_(True),
            )
            .order_by(Person.id)
        )
    ).all()
    tracks = await tracks_of(session, [p.id for p, _chat in rows])
    target = match_opportunity(opp)
    found: list[Recipient] = []
    for person, chat in rows:
        who = matching.MatchPerson(
            person_id=person.id,
            track=as_track(tracks.get(person.id)),
            birth_date=person.birth_date,
            postcode=person.postcode,
        )
        if matching.suits(who, target, now):
            found.append(Recipient(person.id, chat))
    return found


def opportunity_ref(opportunity_id: int) -> str:
    """The ref of the messages about an opportunity: "op:12"."""
    return refs.ref(REF_KIND, opportunity_id)


def recipient_key(opportunity_id: int, person_id: int) -> str:
    """The idempotency key of the broadcast message to one person: "op:12:to:34"."""
    return refs.key(REF_KIND, opportunity_id, "to", person_id)


async def start_broadcast(
    session: AsyncSession,
    opp: Opportunity,
    *,
    requested_by: int | None,
    chat_id: str,
    payload: dict[str, Any],
    now: dt.datetime,
    exclude: int | None = None,
) -> OpportunityBroadcast:
    """Queue the opportunity for every recipient (outbox, broadcast lane), in this transaction.

    `payload` is one message Telegram accepts, checked by the caller
    (`bot.kit.notify.one_message_payload`): each recipient's row is counted, so it is not split.
    """
    found = await recipients(session, opp, now, exclude)
    broadcast = OpportunityBroadcast(
        programme_id=opp.programme_id,
        opportunity_id=opp.id,
        requested_by=requested_by,
        chat_id=chat_id,
        total=len(found),
        status=BroadcastStatus.RUNNING,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    rows = []
    for person in found:
        key = recipient_key(opp.id, person.person_id)
        session.add(
            OpportunityRecipient(
                broadcast_id=broadcast.id,
                opportunity_id=opp.id,
                person_id=person.person_id,
                outbox_key=key,
                created_at=now,
            )
        )
        rows.append(
            outbox.row(
                chat_id=person.chat_id,
                payload=payload,
                key=key,
                now=now,
                priority=outbox.Priority.BROADCAST,
                person_id=person.person_id,
                programme_id=opp.programme_id,
                ref=opportunity_ref(opp.id),
            )
        )
    # one statement for every message (and one look-up of the readers' ages for quiet hours)
    await outbox.enqueue_many(session, rows, now=now)
    await session.flush()
    return broadcast


async def broadcast_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Outbox statuses of a broadcast's messages: pending, sending, sent, unreachable..."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .join(
            OpportunityRecipient, OpportunityRecipient.outbox_key == OutboxMessage.idempotency_key
        )
        .where(OpportunityRecipient.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    return {status: int(count) for status, count in rows.all()}


async def running_broadcasts(session: AsyncSession) -> list[OpportunityBroadcast]:
    return list(
        await session.scalars(
            select(OpportunityBroadcast).where(
                OpportunityBroadcast.status == BroadcastStatus.RUNNING
            )
        )
    )


def finish_broadcast(broadcast: OpportunityBroadcast, now: dt.datetime) -> None:
    """Nothing is waiting any more (or nobody matched): the progress ticker leaves it alone."""
    broadcast.status = BroadcastStatus.DONE
    broadcast.finished_at = now


# --- sign-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinResult:
    status: JoinOutcome
    position: int | None = None
    already: bool = False


async def _lock(session: AsyncSession, opportunity_id: int) -> Opportunity | None:
    """Lock the opportunity's row for this transaction (PostgreSQL; SQLite has one writer)."""
    query = select(Opportunity).where(Opportunity.id == opportunity_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:  # take SQLite's write lock now, before reading anything else
        await session.execute(
            update(Opportunity)
            .where(Opportunity.id == opportunity_id)
            .values(places_taken=Opportunity.places_taken)
        )
    return (
        await session.execute(query.execution_options(populate_existing=True))
    ).scalar_one_or_none()


async def signup_of(
    session: AsyncSession, opportunity_id: int, person_id: int
) -> OpportunitySignup | None:
    return await session.scalar(
        select(OpportunitySignup).where(
            OpportunitySignup.opportunity_id == opportunity_id,
            OpportunitySignup.person_id == person_id,
        )
    )


async def waiting_position(session: AsyncSession, signup: OpportunitySignup) -> int:
    """1-based place on the waiting list: first come (in the order of the locked inserts)."""
    ahead = await session.scalar(
        select(func.count()).where(
            OpportunitySignup.opportunity_id == signup.opportunity_id,
            OpportunitySignup.status == SignupStatus.WAITING,
            OpportunitySignup.id < signup.id,
        )
    )
    return int(ahead or 0) + 1


async def join(
    session: AsyncSession, opportunity_id: int, person_id: int, now: dt.datetime
) -> JoinResult:
    """Take a place, or a place on the waiting list when the opportunity is full.

    Refused (nothing written; logged once, without personal data) when the person may not join
    it (`refusals`, checked here, after the lock, for every path that joins).
    """
    opp = await _lock(session, opportunity_id)
    if opp is None:
        return JoinResult(JoinOutcome.CLOSED)
    refused = await refusals(session, opp, person_id, now)
    if any(m != matching.Mismatch.CLOSED for m in refused):
        log.warning("opportunity %d: join refused (%s)", opp.id, ",".join(m.value for m in refused))
        return JoinResult(JoinOutcome.REFUSED)
    if not is_open(opp, now):
        return JoinResult(JoinOutcome.CLOSED)
    signup = await signup_of(session, opportunity_id, person_id)
    if signup is not None and signup.status == SignupStatus.PLACED:
        return JoinResult(JoinOutcome.PLACED, already=True)
    if signup is not None and signup.status == SignupStatus.WAITING:
        return JoinResult(
            JoinOutcome.WAITING, await waiting_position(session, signup), already=True
        )
    taken = await session.execute(
        update(Opportunity)
        .where(Opportunity.id == opportunity_id, Opportunity.places_taken < Opportunity.places)
        .values(places_taken=Opportunity.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    placed = bool(taken.rowcount)  # type: ignore[attr-defined]
    if signup is not None:  # joining again after cancelling: at the back of the list
        await session.delete(signup)
        await session.flush()
    signup = OpportunitySignup(
        opportunity_id=opportunity_id,
        person_id=person_id,
        joined_at=now,
        status=SignupStatus.PLACED if placed else SignupStatus.WAITING,
        placed_at=now if placed else None,
    )
    session.add(signup)
    await session.flush()
    if placed:
        return JoinResult(JoinOutcome.PLACED)
    return JoinResult(JoinOutcome.WAITING, await waiting_position(session, signup))


@dataclass(frozen=True)
class CancelResult:
    cancelled: bool
    was: SignupStatus | None = None
    moved_up: int | None = None  # person id of who got the freed place
    too_late: bool = False


def cancel_deadline(opp: Opportunity) -> dt.datetime | None:
    """Until when a sign-up can be cancelled: the sign-up deadline, else the start."""
    return opp.deadline or opp.starts_at


async def cancel(
    session: AsyncSession, opportunity_id: int, person_id: int, now: dt.datetime
) -> CancelResult:
    """Give up a place (it goes to the first on the waiting list) or a waiting-list entry."""
    opp = await _lock(session, opportunity_id)
    signup = await signup_of(session, opportunity_id, person_id)
    if opp is None or signup is None or signup.status not in TAKEN:
        return CancelResult(False)
    limit = cancel_deadline(opp)
    if limit is not None and now >= limit:
        return CancelResult(False, signup.status, too_late=True)
    was = signup.status
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now
    await session.flush()
    if was != SignupStatus.PLACED:
        return CancelResult(True, was)
    nxt = await session.scalar(
        select(OpportunitySignup)
        .where(
            OpportunitySignup.opportunity_id == opportunity_id,
            OpportunitySignup.status == SignupStatus.WAITING,
        )
        .order_by(OpportunitySignup.id)
        .limit(1)
    )
    if nxt is None:
        await session.execute(
            update(Opportunity)
            .where(Opportunity.id == opportunity_id, Opportunity.places_taken > 0)
            .values(places_taken=Opportunity.places_taken - 1)
            .execution_options(synchronize_session=False)
        )
        return CancelResult(True, was)
    nxt.status = SignupStatus.PLACED
    nxt.placed_at = now
    await session.flush()
    return CancelResult(True, was, moved_up=nxt.person_id)


async def signups(session: AsyncSession, opportunity_id: int) -> list[OpportunitySignup]:
    return list(
        await session.scalars(
            select(OpportunitySignup)
            .where(OpportunitySignup.opportunity_id == opportunity_id)
            .order_by(OpportunitySignup.joined_at, OpportunitySignup.id)
        )
    )


# --- attendance (after the opportunity) -----------------------------------------------------


async def attendance_candidates(
    session: AsyncSession, started_after: dt.datetime, started_before: dt.datetime
) -> list[tuple[OpportunitySignup, Opportunity]]:
    """Places (not waiting or cancelled) not yet answered, at dated opportunities that started
    in the window; the caller decides per opportunity whether the question is due."""
    rows = await session.execute(
        select(OpportunitySignup, Opportunity)
        .join(Opportunity, Opportunity.id == OpportunitySignup.opportunity_id)
        .where(
            OpportunitySignup.status == SignupStatus.PLACED,
            OpportunitySignup.attended.is_(None),
            Opportunity.starts_at.is_not(None),
            Opportunity.starts_at > started_after,
            Opportunity.starts_at <= started_before,
        )
        .order_by(Opportunity.id, OpportunitySignup.id)
    )
    return [(s, o) for s, o in rows.all()]


async def get_signup(session: AsyncSession, signup_id: int) -> OpportunitySignup | None:
    return await session.get(OpportunitySignup, signup_id)


async def record_attendance(
    session: AsyncSession, signup: OpportunitySignup, attended: bool, now: dt.datetime
) -> None:
    """Whether the person was there (their own answer); `attended_at` when they were."""
    signup.attended = attended
    signup.attended_at = now if attended else None
    await session.flush()


async def titles(session: AsyncSession, opportunity_ids: list[int]) -> dict[int, str]:
    """Titles of opportunities by id (for overviews of hours done at them)."""
    if not opportunity_ids:
        return {}
    rows = await session.execute(
        select(Opportunity.id, Opportunity.title).where(Opportunity.id.in_(set(opportunity_ids)))
    )
    return {int(i): str(t) for i, t in rows.all()}
