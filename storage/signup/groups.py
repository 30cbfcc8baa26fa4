"""Groups for the signup: places, the waiting list, offers of freed places and the group mix.

The waiting list is one pool per programme: a person joins the list of one group, but a freed
place in any group of the same track goes to the earliest waiting person of that track (the rules
are in `domain.capacity`). Every change of places takes `lock_groups` first, and reads what it
decides on again after the lock. A signup changes status only by a conditional update
(`queries.decide`): when two coordinators (or a coordinator and the person answering an offer)
act on one signup at the same time, exactly one decision counts and the other gets
`AlreadyDecided`, with no second place, list entry or message. The database holds a person to
at most one place per programme (a partial unique index, `uq_enrolment_one_place`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dates import age_on
from domain.signup import capacity
from domain.signup.capacity import PlacementError, WaitingEntry, WaitStatus
from domain.signup.group_mix import MixCell, age_band, mix
from domain.signup.status import (
    HOLDS_PLACE,
    ON_WAITING_LIST,
    UNDECIDED,
    EnrolmentStatus,
    SignupStatus,
)
from storage.course.models import Cohort, CourseSession
from storage.models import Person
from storage.signup.models import Enrolment, Signup
from storage.signup.queries import AlreadyDecided, decide, reread_status

PLACEABLE: tuple[SignupStatus, ...] = UNDECIDED
"""Signups a coordinator may place in a group."""
LISTABLE: tuple[SignupStatus, ...] = (SignupStatus.SUBMITTED,)
"""Signups a coordinator may put on a group's waiting list."""
DECLINABLE: tuple[SignupStatus, ...] = UNDECIDED
"""Signups a coordinator may decline."""
IN_LINE: tuple[SignupStatus, ...] = (SignupStatus.WAITING, SignupStatus.SUBMITTED)
"""Signups of people whose waiting-list rows still count (offers, lapses)."""


@dataclass(frozen=True)
class GroupLoad:
    cohort: Cohort
    placed: int
    open_offers: int
    waiting: int

    @property
    def full(self) -> bool:
        return capacity.free_places(self.cohort.capacity, self.placed, self.open_offers) == 0


async def cohorts(session: AsyncSession, programme_id: int) -> list[Cohort]:
    return list(
        await session.scalars(
            select(Cohort).where(Cohort.programme_id == programme_id).order_by(Cohort.id)
        )
    )


async def load(session: AsyncSession, cohort: Cohort, now: dt.datetime) -> GroupLoad:
    rows = (
        await session.execute(
            select(Enrolment.status, Enrolment.offer_expires_at).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status.in_(HOLDS_PLACE),
            )
        )
    ).all()
    placed = sum(1 for status, _ in rows if status == EnrolmentStatus.PLACED)
    offers = sum(
        1 for status, until in rows if status == EnrolmentStatus.OFFERED and until and until > now
    )
    waiting = sum(1 for status, _ in rows if status == EnrolmentStatus.WAITING)
    return GroupLoad(cohort, placed, offers, waiting)


async def lock_groups(session: AsyncSession, programme_id: int) -> None:
    """Serialise placements and waiting-list work of one programme for this transaction.

    PostgreSQL: `SELECT ... FOR UPDATE` on the programme's groups (in id order, so no deadlocks).
    SQLite: a no-op UPDATE takes the single write lock before anything is read. Placing,
    joining the list, offering, accepting and declining all take this lock first, so a freed place
    is never given twice and a full group never gets one person too many.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Cohort.id)
            .where(Cohort.programme_id == programme_id)
            .order_by(Cohort.id)
            .with_for_update()
        )
    else:
        await session.execute(
            update(Cohort)
            .where(Cohort.programme_id == programme_id)
            .values(capacity=Cohort.capacity)
        )


async def _enrolment(session: AsyncSession, cohort_id: int, person_id: int) -> Enrolment | None:
    return await session.scalar(
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.person_id == person_id)
        .execution_options(populate_existing=True)
    )


async def _rows(
    session: AsyncSession,
    programme_id: int,
    person_id: int,
    statuses: tuple[EnrolmentStatus, ...],
) -> list[Enrolment]:
    return list(
        await session.scalars(
            select(Enrolment)
            .where(
                Enrolment.programme_id == programme_id,
                Enrolment.person_id == person_id,
                Enrolment.status.in_(statuses),
            )
            .order_by(Enrolment.id)
            .execution_options(populate_existing=True)
        )
    )


async def _leave_lists(
    session: AsyncSession, programme_id: int, person_id: int, now: dt.datetime, keep: int
) -> list[Enrolment]:
    """Withdraw the person's other waiting/offered rows of the programme (all but `keep`)."""
    left = []
    for row in await _rows(session, programme_id, person_id, ON_WAITING_LIST):
        if row.id != keep:
            row.status = EnrolmentStatus.WITHDRAWN
            row.decided_at = now
            left.append(row)
    return left


async def _upsert(
    session: AsyncSession,
    signup: Signup,
    cohort: Cohort,
    status: EnrolmentStatus,
    now: dt.datetime,
    track: str | None = None,
) -> Enrolment:
    enrolment = await _enrolment(session, cohort.id, signup.person_id)
    if enrolment is None:
        enrolment = Enrolment(
            programme_id=cohort.programme_id,
            cohort_id=cohort.id,
            person_id=signup.person_id,
            created_at=now,
            status=status,
        )
        session.add(enrolment)
    enrolment.status = status
    enrolment.track = track or cohort.track
    enrolment.decided_at = now
    if status == EnrolmentStatus.WAITING:
        enrolment.created_at = now  # the back of the list
    await session.flush()
    return enrolment


def _seen(signup: Signup, allowed: tuple[SignupStatus, ...]) -> tuple[SignupStatus, ...]:
    """The status the caller saw (`signup` as it read it), when a decision may be taken from
    it; else nothing. A decision counts only while the signup is still where the caller saw it:
    a coordinator who saw "submitted" does not place a signup another coordinator has just put
    on a waiting list."""
    return (signup.status,) if signup.status in allowed else ()


async def _still(
    session: AsyncSession, signup: Signup, seen: tuple[SignupStatus, ...]
) -> AlreadyDecided | None:
    """Re-read the signup's status (after `lock_groups`): None when it is still as `seen`."""
    status = await reread_status(session, signup)
    return None if status in seen else AlreadyDecided(status)


async def place(
    session: AsyncSession, signup: Signup, cohort: Cohort, now: dt.datetime
) -> Enrolment | PlacementError | AlreadyDecided:
    """Place the person of `signup` in `cohort`, refused when the group is full.

    Taken only from the status `signup` has when called (what the coordinator saw), re-read
    under the lock and changed with a conditional update: `AlreadyDecided` (and nothing
    changed) when the signup was decided meanwhile, for example by another coordinator at the
    same moment. A person placed while waiting elsewhere leaves those waiting lists.
    """
    seen = _seen(signup, PLACEABLE)
    await lock_groups(session, cohort.programme_id)
    decided = await _still(session, signup, seen)
    if decided is not None:
        return decided
    group = await load(session, cohort, now)
    error = capacity.check_can_place(cohort.capacity, group.placed, group.open_offers)
    if error is not None:
        return error
    decided = await decide(session, signup, seen, SignupStatus.PLACED, decided_at=now)
    if decided is not None:
        return decided
    enrolment = await _upsert(session, signup, cohort, EnrolmentStatus.PLACED, now)
    await _leave_lists(session, cohort.programme_id, signup.person_id, now, keep=enrolment.id)
    await session.flush()
    return enrolment


async def put_on_waiting_list(
    session: AsyncSession, signup: Signup, cohort: Cohort, now: dt.datetime
) -> int | AlreadyDecided:
    """Put the person on the cohort's waiting list; returns their position in their track.

    They wait for the cohort's track; someone who chose "weet ik nog niet" waits for any track.
    `AlreadyDecided` (and nothing changed) when the signup was decided meanwhile (as `place`).
    """
    seen = _seen(signup, LISTABLE)
    await lock_groups(session, cohort.programme_id)
    decided = await _still(session, signup, seen)
    if decided is None:
        decided = await decide(session, signup, seen, SignupStatus.WAITING, decided_at=now)
    if decided is not None:
        return decided
    track = capacity.waiting_track(signup.track, cohort.track)
    await _upsert(session, signup, cohort, EnrolmentStatus.WAITING, now, track=track)
    entries = await pool_entries(session, cohort.programme_id)
    return capacity.waiting_position(entries, signup.person_id) or len(entries)


async def decline(
    session: AsyncSession, signup: Signup, reason: str, now: dt.datetime
) -> AlreadyDecided | None:
    """A coordinator declines the signup (with the reason the person reads).

    `AlreadyDecided` (and nothing changed) when it was decided meanwhile (as `place`). A
    declined person leaves the waiting lists of the programme (no place is offered to them
    later).
    """
    seen = _seen(signup, DECLINABLE)
    await lock_groups(session, signup.programme_id)
    decided = await decide(
        session, signup, seen, SignupStatus.DECLINED, decided_at=now, decline_reason=reason
    )
    if decided is not None:
        return decided
    await _leave_lists(session, signup.programme_id, signup.person_id, now, keep=0)
    await session.flush()
    return None


_WAIT_STATUS = {
    EnrolmentStatus.WAITING: WaitStatus.WAITING,
    EnrolmentStatus.OFFERED: WaitStatus.OFFERED,
    EnrolmentStatus.DECLINED: WaitStatus.DECLINED,
}


async def pool_entries(session: AsyncSession, programme_id: int) -> list[WaitingEntry]:
    """The waiting, offered and declined rows of all groups of a programme (one pool)."""
    rows = await session.scalars(
        select(Enrolment)
        .where(
            Enrolment.programme_id == programme_id,
            Enrolment.status.in_(tuple(_WAIT_STATUS)),
        )
        .execution_options(populate_existing=True)
    )
    return [
        WaitingEntry(
            person_id=e.person_id,
            track=e.track or capacity.ANY_TRACK,
            joined_at=e.created_at,
            sequence=e.id,
            status=_WAIT_STATUS[e.status],
            offer_expires_at=e.offer_expires_at,
            group_id=e.cohort_id,
        )
        for e in rows
    ]


@dataclass(frozen=True)
class OfferChanges:
    lapsed: list[Enrolment]
    """The offered rows that lapsed (their people left the waiting list)."""
    offered: list[Enrolment]
    waited_in: dict[int, int]
    """Offered enrolment id -> the group whose list the person is on, when another group."""


async def move_up(
    session: AsyncSession, programme_id: int, now: dt.datetime, rules: capacity.WaitingListRules
) -> OfferChanges:
    """Lapse expired offers and offer the free places of the programme's groups to the next
    waiting people of each group's track, across groups (idempotent)."""
    await lock_groups(session, programme_id)
    groups = await cohorts(session, programme_id)
    placed = dict(
        (
            await session.execute(
                select(Enrolment.cohort_id, func.count())
                .where(
                    Enrolment.programme_id == programme_id,
                    Enrolment.status == EnrolmentStatus.PLACED,
                )
                .group_by(Enrolment.cohort_id)
            )
        ).all()
    )
    seats = [
        capacity.GroupSeats(c.id, c.track, c.capacity, int(placed.get(c.id, 0))) for c in groups
    ]
    entries = await pool_entries(session, programme_id)
    plan = capacity.plan_pool_offers(entries, seats, now, rules)
    lapsed: list[Enrolment] = []
    for person_id in plan.lapse:
        for row in await _rows(session, programme_id, person_id, ON_WAITING_LIST):
            if row.status == EnrolmentStatus.OFFERED:
                lapsed.append(row)
            row.status = EnrolmentStatus.WITHDRAWN
            row.decided_at = now
        await _decide_in_line(session, programme_id, person_id, SignupStatus.WITHDRAWN, now)
    lists = {e.person_id: e for e in capacity.waiting_order(entries)}
    by_id = {c.id: c for c in groups}
    offered: list[Enrolment] = []
    waited_in: dict[int, int] = {}
    for cohort_id, person_id in plan.offers:
        waiting = lists[person_id]
        enrolment = await _enrolment(session, cohort_id, person_id)
        if enrolment is None:
            enrolment = Enrolment(
                programme_id=programme_id,
                cohort_id=cohort_id,
                person_id=person_id,
                created_at=waiting.joined_at,  # keeps their place in line
                status=EnrolmentStatus.OFFERED,
            )
            session.add(enrolment)
        enrolment.status = EnrolmentStatus.OFFERED
        enrolment.track = by_id[cohort_id].track
        enrolment.offered_at = now
        enrolment.offer_expires_at = plan.offers_expire_at
        offered.append(enrolment)
    await session.flush()
    for enrolment in offered:
        waiting = lists[enrolment.person_id]
        if waiting.group_id is not None and waiting.group_id != enrolment.cohort_id:
            waited_in[enrolment.id] = waiting.group_id
    return OfferChanges(lapsed, offered, waited_in)


async def _newest_signup(session: AsyncSession, programme_id: int, person_id: int) -> Signup | None:
    """The person's newest signup in the programme, read again (not from the session's cache)."""
    return await session.scalar(
        select(Signup)
        .where(Signup.programme_id == programme_id, Signup.person_id == person_id)
        .order_by(Signup.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def _decide_in_line(
    session: AsyncSession,
    programme_id: int,
    person_id: int,
    status: SignupStatus,
    now: dt.datetime,
) -> AlreadyDecided | None:
    """Move the person's newest signup from waiting (or submitted) to `status`, conditionally.

    `AlreadyDecided` when that signup is no longer in line (declined, withdrawn, placed);
    None when it moved, or when the person has no signup (nothing to change).
    """
    signup = await _newest_signup(session, programme_id, person_id)
    if signup is None:
        return None
    return await decide(session, signup, IN_LINE, status, decided_at=now)


async def _open_offer(
    session: AsyncSession, enrolment: Enrolment, now: dt.datetime
) -> Enrolment | None:
    """Lock the pool, re-read the row: it, when its offer is still open, else None."""
    await lock_groups(session, enrolment.programme_id)
    row = await _enrolment(session, enrolment.cohort_id, enrolment.person_id)
    if row is None or row.status != EnrolmentStatus.OFFERED or not row.offer_expires_at:
        return None
    return row if now < row.offer_expires_at else None


async def accept_offer(session: AsyncSession, enrolment: Enrolment, now: dt.datetime) -> bool:
    """Turn an open offer into a place; False when the offer is gone or expired, or the
    person's signup was decided meanwhile (declined, withdrawn: re-read under the lock).

    The person leaves any other waiting list of the programme.
    """
    row = await _open_offer(session, enrolment, now)
    if row is None:
        return False
    decided = await _decide_in_line(
        session, row.programme_id, row.person_id, SignupStatus.PLACED, now
    )
    if decided is not None:
        return False  # the signup was decided meanwhile (declined, withdrawn)
    row.status = EnrolmentStatus.PLACED
    row.decided_at = now
    await _leave_lists(session, row.programme_id, row.person_id, now, keep=row.id)
    await session.flush()
    return True


@dataclass(frozen=True)
class Declined:
    still_waiting_in: Cohort | None
    """The group whose list the person is still on (declined another group's place), or None
    (declined their own group's place: they left the waiting list)."""


async def decline_offer(
    session: AsyncSession, enrolment: Enrolment, now: dt.datetime
) -> Declined | None:
    """Decline an open offer; None when the offer is gone or expired."""
    row = await _open_offer(session, enrolment, now)
    if row is None:
        return None
    row.status = EnrolmentStatus.DECLINED
    row.decided_at = now
    waiting = await _rows(session, row.programme_id, row.person_id, (EnrolmentStatus.WAITING,))
    if not waiting:
        await _decide_in_line(session, row.programme_id, row.person_id, SignupStatus.WITHDRAWN, now)
        await session.flush()
        return Declined(None)
    await session.flush()
    return Declined(await session.get(Cohort, waiting[0].cohort_id))


async def first_meeting(session: AsyncSession, cohort_id: int) -> CourseSession | None:
    return await session.scalar(
        select(CourseSession)
        .where(CourseSession.cohort_id == cohort_id, CourseSession.cancelled_at.is_(None))
        .order_by(CourseSession.starts_at)
        .limit(1)
    )


async def group_mix(
    session: AsyncSession, cohort_id: int, today: dt.date
) -> dict[str, tuple[MixCell, ...]]:
    """The mix of the placed participants: gender, age band, school type, track."""
    rows = (
        await session.execute(
            select(Signup, Person.birth_date)
            .join(Enrolment, Enrolment.person_id == Signup.person_id)
            .join(Person, Person.id == Signup.person_id)
            .where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status == EnrolmentStatus.PLACED,
                Signup.status == SignupStatus.PLACED,
            )
        )
    ).all()
    ages = [age_on(born, today) if born else s.age_at_signup for s, born in rows]
    return {
        "gender": mix([s.gender for s, _ in rows], ("female", "male", "other")),
        "age": mix([age_band(a) for a in ages], ("14-15", "16-17", "18-23", "24+")),
        "school": mix([s.school for s, _ in rows]),
        "track": mix([s.track for s, _ in rows], ("sport", "culture", "unknown")),
    }


async def signup_counts(session: AsyncSession, programme_id: int) -> dict[str, int]:
    """Signups per outcome (anonymised ones included): the programme's figures."""
    rows = await session.execute(
        select(Signup.status, func.count())
        .where(Signup.programme_id == programme_id)
        .group_by(Signup.status)
    )
    return {status: int(count) for status, count in rows.all()}
