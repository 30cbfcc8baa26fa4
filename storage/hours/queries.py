"""Queries of the practice-hours feature: organisations, invites, placements, logs, decisions.

A decision is a conditional `UPDATE ... WHERE status = 'pending'` (`LogStatus.PENDING`): when
two supervisors (or one supervisor tapping twice) decide at the same time, exactly one update
changes the row and the others see `False`. Every change is written to `practice_hours_change`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import HoursKind, LoggedHours, LogStatus
from domain.roles import Role
from storage import people
from storage.hours.models import (
    Organisation,
    Placement,
    PracticeHours,
    PracticeHoursChange,
    SupervisorInvite,
)
from storage.models import ChannelIdentity, Person, Programme, RoleGrant
from storage.types import valid_id

TRAINEE_ROLES = (Role.PARTICIPANT, Role.CITYTRAINER)
"""Who can be placed at an organisation."""
INVITE_PREFIX = "s-"
INVITE_TTL = dt.timedelta(days=7)
COUNTED = (LogStatus.CONFIRMED, LogStatus.CORRECTED)
PRACTICE, VOLUNTEER = HoursKind.PRACTICE, HoursKind.VOLUNTEER
"""`PracticeHours.kind` (`HoursKind`): only practice hours count towards the course's 15 hours."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- organisations and supervisors -----------------------------------------------------------


async def add_organisation(
    session: AsyncSession,
    programme_id: int,
    *,
    name: str,
    kind: OrganisationKind | str,
    neighbourhood: str | None,
    contact: str | None,
    now: dt.datetime,
) -> Organisation:
    org = Organisation(
        programme_id=programme_id,
        name=name,
        kind=str(kind),
        neighbourhood=neighbourhood,
        contact=contact,
        created_at=now,
    )
    session.add(org)
    await session.flush()
    return org


async def organisations(session: AsyncSession, programme_id: int) -> list[Organisation]:
    return list(
        await session.scalars(
            select(Organisation)
            .where(Organisation.programme_id == programme_id)
            .order_by(Organisation.name)
        )
    )


async def get_organisation(session: AsyncSession, org_id: int) -> Organisation | None:
    return await session.get(Organisation, org_id) if valid_id(org_id) else None


async def create_invite(
    session: AsyncSession, org: Organisation, created_by: int | None, now: dt.datetime
) -> str:
    """A new invite link payload (`s-<token>`); only the token's hash is stored."""
    token = secrets.token_urlsafe(24)
    session.add(
        SupervisorInvite(
            programme_id=org.programme_id,
            organisation_id=org.id,
            token_hash=hash_token(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + INVITE_TTL,
        )
    )
    await session.flush()
    return INVITE_PREFIX + token


async def usable_invite(
    session: AsyncSession, token: str, now: dt.datetime
) -> SupervisorInvite | None:
    """The invite behind `token` while it can still be used (nothing changes)."""
    return await session.scalar(
        select(SupervisorInvite).where(
            SupervisorInvite.token_hash == hash_token(token),
            SupervisorInvite.used_at.is_(None),
            SupervisorInvite.expires_at > now,
        )
    )


async def redeem_invite(
    session: AsyncSession, token: str, person_id: int, now: dt.datetime
) -> SupervisorInvite | None:
    """Use an invite once: None when unknown, expired or used (a conditional update)."""
    result = await session.execute(
        update(SupervisorInvite)
        .where(
            SupervisorInvite.token_hash == hash_token(token),
            SupervisorInvite.used_at.is_(None),
            SupervisorInvite.expires_at > now,
        )
        .values(used_at=now, used_by=person_id)
        .returning(SupervisorInvite.id)
    )
    invite_id = result.scalar_one_or_none()
    if invite_id is None:
        return None
    return await session.get(SupervisorInvite, invite_id)


async def supervisor_ids(session: AsyncSession, organisation_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(RoleGrant.person_id)
            .where(
                RoleGrant.role == Role.SUPERVISOR.value,
                RoleGrant.organisation_id == organisation_id,
                people.active_grant(),
            )
            .distinct()
            .order_by(RoleGrant.person_id)
        )
    )


async def placeable_trainees(session: AsyncSession, org: Organisation) -> list[Person]:
    """Whom a coordinator can place at `org` (the trainee buttons): participants and
    Citytrainers of the organisation's programme who do not supervise there."""
    supervisors = set(await supervisor_ids(session, org.id))
    found = await people_with_role(session, org.programme_id, TRAINEE_ROLES)
    return [p for p in found if p.id not in supervisors]


async def offered_placement(
    session: AsyncSession,
    org: Organisation | None,
    programme_id: int,
    *,
    trainee_id: int | None = None,
    supervisor_id: int | None = None,
) -> bool:
    """Whether tapped placement choices are ones the flow offers: an organisation of the
    coordinator's programme `programme_id`, a trainee who is a participant or Citytrainer of it
    (and does not supervise there), a supervisor who supervises at the organisation."""
    if org is None or org.programme_id != programme_id:
        return False
    supervisors = await supervisor_ids(session, org.id)
    if supervisor_id is not None and supervisor_id not in supervisors:
        return False
    if trainee_id is None:
        return True
    if not valid_id(trainee_id) or trainee_id in supervisors:
        return False
    found = await people_with_role(session, programme_id, TRAINEE_ROLES, person_id=trainee_id)
    return bool(found)


async def supervised_organisations(session: AsyncSession, person_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(RoleGrant.organisation_id).where(
                RoleGrant.person_id == person_id,
                RoleGrant.role == Role.SUPERVISOR.value,
                people.active_grant(),
                RoleGrant.organisation_id.is_not(None),
            )
        )
    )


async def people_with_role(
    session: AsyncSession,
    programme_id: int,
    roles: tuple[Role, ...],
    *,
    person_id: int | None = None,
) -> list[Person]:
    """People of the programme (not anonymised) with one of `roles` in it; only `person_id`
    when given."""
    ids = select(RoleGrant.person_id).where(
        RoleGrant.programme_id == programme_id,
        RoleGrant.role.in_([r.value for r in roles]),
        people.active_grant(),
    )
    query = select(Person).where(
        Person.id.in_(ids), Person.programme_id == programme_id, Person.anonymised_at.is_(None)
    )
    if person_id is not None:
        query = query.where(Person.id == person_id)
    return list(await session.scalars(query.order_by(Person.first_name, Person.id)))


async def timezone_of(session: AsyncSession, programme_id: int) -> str:
    tz = await session.scalar(select(Programme.timezone).where(Programme.id == programme_id))
    return tz or "Europe/Amsterdam"


# -- placements ---------------------------------------------------------------------------------


async def add_placement(
    session: AsyncSession,
    *,
    programme_id: int,
    person_id: int,
    organisation_id: int,
    supervisor_id: int | None,
    track: PlacementTrack | str | None,
    motivation: str | None,
    created_by: int | None,
    now: dt.datetime,
) -> Placement:
    placement = Placement(
        programme_id=programme_id,
        person_id=person_id,
        organisation_id=organisation_id,
        supervisor_id=supervisor_id,
        track=None if track is None else PlacementTrack(track),
        motivation=motivation,
        created_by=created_by,
        created_at=now,
    )
    session.add(placement)
    await session.flush()
    return placement


async def active_placements(
    session: AsyncSession, person_id: int
) -> list[tuple[Placement, Organisation]]:
    rows = await session.execute(
        select(Placement, Organisation)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .where(Placement.person_id == person_id, Placement.ended_at.is_(None))
        .order_by(Placement.id)
    )
    return [(p, o) for p, o in rows.all()]


# -- logs ---------------------------------------------------------------------------------------


async def add_log(
    session: AsyncSession,
    *,
    placement: Placement,
    work_date: dt.date,
    minutes: int,
    description: str,
    now: dt.datetime,
    kind: HoursKind = PRACTICE,
) -> PracticeHours:
    return await _add(
        session,
        PracticeHours(
            programme_id=placement.programme_id,
            person_id=placement.person_id,
            organisation_id=placement.organisation_id,
            placement_id=placement.id,
            work_date=work_date,
            minutes=minutes,
            logged_minutes=minutes,
            description=description,
            status=LogStatus.PENDING,
            kind=kind,
            created_at=now,
            reminder_step=0,
        ),
        now,
    )


async def add_opportunity_log(
    session: AsyncSession,
    *,
    programme_id: int,
    person_id: int,
    organisation_id: int | None,
    opportunity_id: int,
    work_date: dt.date,
    minutes: int,
    description: str | None,
    kind: HoursKind | str,
    now: dt.datetime,
) -> PracticeHours:
    """A pending log of hours done at an opportunity (practice or volunteer hours)."""
    return await _add(
        session,
        PracticeHours(
            programme_id=programme_id,
            person_id=person_id,
            organisation_id=organisation_id,
            opportunity_id=opportunity_id,
            work_date=work_date,
            minutes=minutes,
            logged_minutes=minutes,
            description=description,
            status=LogStatus.PENDING,
            kind=HoursKind(kind),
            created_at=now,
            reminder_step=0,
        ),
        now,
    )


async def _add(session: AsyncSession, log: PracticeHours, now: dt.datetime) -> PracticeHours:
    session.add(log)
    await session.flush()
    session.add(
        PracticeHoursChange(
            log_id=log.id,
            changed_by=log.person_id,
            changed_at=now,
            old_status=None,
            new_status=log.status,
            old_minutes=None,
            new_minutes=log.minutes,
        )
    )
    return log


async def opportunity_log(
    session: AsyncSession, person_id: int, opportunity_id: int
) -> PracticeHours | None:
    """The person's log for an opportunity that still counts (not rejected), if any."""
    return await session.scalar(
        select(PracticeHours)
        .where(
            PracticeHours.person_id == person_id,
            PracticeHours.opportunity_id == opportunity_id,
            PracticeHours.status != LogStatus.REJECTED,
        )
        .limit(1)
    )


async def get_log(session: AsyncSession, log_id: int) -> PracticeHours | None:
    return await session.get(PracticeHours, log_id)


async def day_minutes(session: AsyncSession, person_id: int, day: dt.date) -> list[int]:
    """Minutes of the day's logs that still count (pending, confirmed, corrected)."""
    return list(
        await session.scalars(
            select(PracticeHours.minutes).where(
                PracticeHours.person_id == person_id,
                PracticeHours.work_date == day,
                PracticeHours.status != LogStatus.REJECTED,
            )
        )
    )


async def logs_of(session: AsyncSession, person_id: int) -> list[PracticeHours]:
    return list(
        await session.scalars(
            select(PracticeHours)
            .where(PracticeHours.person_id == person_id)
            .order_by(PracticeHours.work_date, PracticeHours.id)
        )
    )


def as_logged(log: PracticeHours) -> LoggedHours:
    return LoggedHours(minutes=log.minutes, status=log.status)


async def counted_minutes(session: AsyncSession, person_id: int) -> int:
    """Confirmed plus corrected practice minutes of a person (towards the 15 hours; volunteer
    hours do not count)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(PracticeHours.minutes), 0)).where(
            PracticeHours.person_id == person_id,
            PracticeHours.status.in_(COUNTED),
            PracticeHours.kind == PRACTICE,
        )
    )
    return int(total or 0)


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    log: PracticeHours


async def decide(
    session: AsyncSession,
    log_id: int,
    *,
    status: LogStatus,
    minutes: int | None,
    by: int,
    now: dt.datetime,
    reason: str | None = None,
) -> Decision | None:
    """Decide a pending log; ALREADY when someone else decided first; None when unknown."""
    before = await session.scalar(select(PracticeHours.minutes).where(PracticeHours.id == log_id))
    if before is None:
        return None
    values: dict[str, object] = {
        "status": status,
        "decided_at": now,
        "decided_by": by,
        "reason": reason,
    }
    if minutes is not None:
        values["minutes"] = minutes
    result = await session.execute(
        update(PracticeHours)
        .where(PracticeHours.id == log_id, PracticeHours.status == LogStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    log = await session.get(PracticeHours, log_id, populate_existing=True)
    assert log is not None
    if not result.rowcount:  # type: ignore[attr-defined]
        return Decision(Outcome.ALREADY, log)
    session.add(
        PracticeHoursChange(
            log_id=log_id,
            changed_by=by,
            changed_at=now,
            old_status=LogStatus.PENDING,
            new_status=status,
            old_minutes=before,
            new_minutes=log.minutes,
            reason=reason,
        )
    )
    return Decision(Outcome.DONE, log)


async def correct_decided(
    session: AsyncSession,
    log: PracticeHours,
    *,
    minutes: int,
    by: int,
    now: dt.datetime,
    reason: str,
) -> None:
    """A coordinator corrects a locked (decided) log; the change is kept in the history."""
    session.add(
        PracticeHoursChange(
            log_id=log.id,
            changed_by=by,
            changed_at=now,
            old_status=log.status,
            new_status=LogStatus.CORRECTED,
            old_minutes=log.minutes,
            new_minutes=minutes,
            reason=reason,
        )
    )
    log.status = LogStatus.CORRECTED
    log.minutes = minutes
    log.reason = reason
    log.decided_at = now
    log.decided_by = by
    await session.flush()


async def history(session: AsyncSession, log_id: int) -> list[PracticeHoursChange]:
    return list(
        await session.scalars(
            select(PracticeHoursChange)
            .where(PracticeHoursChange.log_id == log_id)
            .order_by(PracticeHoursChange.id)
        )
    )


async def pending_for_supervisor(session: AsyncSession, person_id: int) -> list[PracticeHours]:
    """Pending logs at the organisations this person supervises (never their own logs)."""
    orgs = await supervised_organisations(session, person_id)
    if not orgs:
        return []
    return list(
        await session.scalars(
            select(PracticeHours)
            .where(
                PracticeHours.organisation_id.in_(orgs),
                PracticeHours.status == LogStatus.PENDING,
                PracticeHours.person_id != person_id,
            )
            .order_by(PracticeHours.id)
        )
    )


async def pending_logs(session: AsyncSession, created_before: dt.datetime) -> list[PracticeHours]:
    return list(
        await session.scalars(
            select(PracticeHours)
            .where(
                PracticeHours.status == LogStatus.PENDING,
                PracticeHours.created_at <= created_before,
            )
            .order_by(PracticeHours.id)
        )
    )


async def person(session: AsyncSession, person_id: int | None) -> Person | None:
    return None if person_id is None else await session.get(Person, person_id)


async def display_name(session: AsyncSession, person_id: int) -> str | None:
    """The Telegram name of a person whose first name we do not know."""
    return await session.scalar(
        select(ChannelIdentity.display_name)
        .where(ChannelIdentity.person_id == person_id, ChannelIdentity.display_name.is_not(None))
        .limit(1)
    )
