"""What we store about a person (/mijngegevens), deleting it (/verwijderen), and retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.signup.status import HOLDS_PLACE, NEVER_PLACED, EnrolmentStatus
from storage import outbox
from storage.course.models import Cohort
from storage.models import ChannelIdentity, FsmRecord, Person, Question, RoleGrant
from storage.signup.models import Consent, ConsentToken, Enrolment, Signup


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, as plain data (for the JSON document)."""
    person = await session.get(Person, person_id)
    assert person is not None
    identities = await session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.person_id == person_id)
    )
    roles = await session.scalars(select(RoleGrant).where(RoleGrant.person_id == person_id))
    signups = await session.scalars(select(Signup).where(Signup.person_id == person_id))
    consents = await session.scalars(select(Consent).where(Consent.person_id == person_id))
    enrolments = (
        await session.execute(
            select(Enrolment, Cohort.name)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Enrolment.person_id == person_id)
        )
    ).all()
    questions = await session.scalars(select(Question).where(Question.person_id == person_id))
    return {
        "person": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _iso(person.birth_date),
            "postcode": person.postcode,
            "created_at": _iso(person.created_at),
        },
        "channels": [
            {
                "channel": i.channel,
                "id": i.external_id,
                "chat_id": i.chat_id,
                "name": i.display_name,
                "since": _iso(i.created_at),
            }
            for i in identities
        ],
        "roles": [
            {"role": r.role, "since": _iso(r.granted_at), "until": _iso(r.revoked_at)}
            for r in roles
        ],
        "signups": [
            {
                "status": str(s.status),
                "track": s.track,
                "age_at_signup": s.age_at_signup,
                "motivation": s.motivation,
                "gender": s.gender,
                "school": s.school,
                "heard_from": s.heard_from,
                "contact": s.contact,
                "parent_name": s.parent_name,
                "parent_contact": s.parent_contact,
                "privacy_version": s.privacy_version,
                "privacy_accepted_at": _iso(s.privacy_accepted_at),
                "created_at": _iso(s.created_at),
                "decided_at": _iso(s.decided_at),
                "decline_reason": s.decline_reason,
            }
            for s in signups
        ],
        "consents": [
            {
                "kind": str(c.kind),
                "version": c.version,
                "given_by": c.given_by,
                "method": str(c.method),
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in consents
        ],
        "groups": [
            {"group": name, "status": str(e.status), "since": _iso(e.created_at)}
            for e, name in enrolments
        ],
        "questions": [{"text": q.text, "asked_at": _iso(q.created_at)} for q in questions],
    }


async def anonymise_person(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    """Delete personal data; keep anonymous figures (signup categories, outcomes, counts)."""
    person = await session.get(Person, person_id)
    if person is None:
        return
    person.first_name = person.last_name = person.postcode = None
    person.birth_date = None
    person.anonymised_at = now
    await anonymise_signups(session, person_id, now)
    await session.execute(
        update(Enrolment)
        .where(
            Enrolment.person_id == person_id,
            Enrolment.status.in_(HOLDS_PLACE),
        )
        .values(status=EnrolmentStatus.WITHDRAWN, decided_at=now)
    )
    await session.execute(
        update(Consent).where(Consent.person_id == person_id).values(given_by=None)
    )
    await session.execute(
        update(RoleGrant)
        .where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.execute(update(Question).where(Question.person_id == person_id).values(text=None))
    identities = list(
        await session.scalars(select(ChannelIdentity).where(ChannelIdentity.person_id == person_id))
    )
    for identity in identities:
        await outbox.drop_pending_for_chat(session, identity.chat_id, "person deleted their data")
        await session.execute(
            delete(FsmRecord).where(FsmRecord.key.like(f"%:{identity.chat_id}:%"))
        )
        await session.delete(identity)
    await session.flush()


async def anonymise_signups(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    signups = await session.scalars(
        select(Signup).where(Signup.person_id == person_id, Signup.anonymised_at.is_(None))
    )
    for signup in signups:
        signup.motivation = None
        signup.parent_name = signup.parent_contact = signup.parent_telegram_id = None
        signup.decline_reason = None
        signup.contact = None
        signup.anonymised_at = now
        await session.execute(delete(ConsentToken).where(ConsentToken.signup_id == signup.id))


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
