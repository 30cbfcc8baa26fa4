"""What we store about a person (/mijngegevens), deleting it (/verwijderen), and retention.

The data itself is found, exported and erased through the one inventory (`storage.privacy`);
this module adds what deleting means for the programme: a place in a group is given up (so the
waiting list moves up) and roles end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.signup.status import HOLDS_PLACE, NEVER_PLACED, EnrolmentStatus
from storage import privacy
from storage.models import RoleGrant
from storage.signup.models import Enrolment, Signup


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, as plain data (for the JSON document)."""
    return await privacy.export_person(session, person_id)


async def anonymise_person(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    """Delete personal data everywhere; keep anonymous figures (categories, outcomes, counts)."""
    await session.execute(
        update(Enrolment)
        .where(Enrolment.person_id == person_id, Enrolment.status.in_(HOLDS_PLACE))
        .values(status=EnrolmentStatus.WITHDRAWN, decided_at=now)
    )
    await session.execute(
        update(RoleGrant)
        .where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await privacy.erase_person(session, person_id, now)
    await session.flush()


async def anonymise_signups(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    """Erase the person's signups (answers, parent's details, consent links), not the person."""
    ids = list(
        await session.scalars(
            select(Signup.id).where(Signup.person_id == person_id, Signup.anonymised_at.is_(None))
        )
    )
    await privacy.erase_rows(session, "signup", ids, now)


async def retention_candidates(session: AsyncSession, before: dt.datetime) -> list[Signup]:
    """Signups that never led to a place and are older than `before`."""
    return list(
        await session.scalars(
            select(Signup).where(
                Signup.status.in_(NEVER_PLACED),
                Signup.anonymised_at.is_(None),
                Signup.created_at < before,
            )
        )
    )


async def has_place(session: AsyncSession, person_id: int) -> bool:
    found = await session.scalar(
        select(Enrolment.id).where(
            Enrolment.person_id == person_id, Enrolment.status == EnrolmentStatus.PLACED
        )
    )
    return found is not None
