"""Queries of the signup: signups, consents, consent tokens and group invites.

Changes that two people can make at the same moment (two coordinators deciding on one signup,
many people redeeming one invite link) are conditional updates: the row changes only when it
still is what the caller saw (`decide`, `use_invite`, `mark_token_used`), so exactly one of
them wins, on PostgreSQL as on SQLite, and the others learn what happened instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.signup.consent import ConsentRefusal, consent_refusal, verified_when_given
from domain.signup.settings import SignupSettings, token_hash, token_shape_ok
from domain.signup.status import (
    OPEN_SIGNUP,
    UNDECIDED,
    ConsentKind,
    ConsentMethod,
    ConsentRoute,
    SignupStatus,
)
from storage import people
from storage.models import Person, Programme
from storage.signup.models import Consent, ConsentToken, GroupInvite, Signup

PRIVACY_VERSION = "2026-1"
OPEN_STATUSES: tuple[SignupStatus, ...] = OPEN_SIGNUP
"""A person with a signup in one of these statuses sees it instead of signing up again."""


async def settings_for(session: AsyncSession, programme_id: int) -> SignupSettings:
    programme = await session.get(Programme, programme_id)
    return SignupSettings.from_mapping(programme.settings if programme else None)


async def open_signup(session: AsyncSession, person_id: int) -> Signup | None:
    return await session.scalar(
        select(Signup)
        .where(
            Signup.person_id == person_id,
            Signup.status.in_(OPEN_STATUSES),
            Signup.anonymised_at.is_(None),
        )
        .order_by(Signup.id.desc())
        .limit(1)
    )


async def get_signup(session: AsyncSession, signup_id: int) -> Signup | None:
    return await session.get(Signup, signup_id)


@dataclass(frozen=True)
class AlreadyDecided:
    """The signup no longer is where the caller saw it (someone else decided first)."""

    status: SignupStatus
    """Where it stands now."""


async def decide(
    session: AsyncSession,
    signup: Signup,
    allowed: tuple[SignupStatus, ...],
    status: SignupStatus,
    **values: object,
) -> AlreadyDecided | None:
    """Move `signup` from one of `allowed` to `status` (and set `values`), at most once.

    One conditional `UPDATE ... WHERE status IN (allowed) RETURNING`: of several transactions
    deciding on one signup at the same time exactly one changes it (on PostgreSQL the others
    wait for its row lock and then find the new status), never a read-modify-write. An
    anonymised signup is never decided. None when this call decided; otherwise where the
    signup stands now (`signup` is refreshed).
    """
    changed = (
        await session.execute(
            update(Signup)
            .where(
                Signup.id == signup.id,
                Signup.status.in_(allowed),
                Signup.anonymised_at.is_(None),
            )
            .values(status=status, **values)
            .returning(Signup.id),
            execution_options={"synchronize_session": "fetch"},
        )
    ).first()
    if changed is not None:
        return None
    return AlreadyDecided(await reread_status(session, signup))


async def reread_status(session: AsyncSession, signup: Signup) -> SignupStatus:
    """The signup's status in the database now (`signup` is refreshed); `withdrawn` when it is
    gone (deleted after a parent said no) or anonymised."""
    fresh = await session.scalar(
        select(Signup).where(Signup.id == signup.id).execution_options(populate_existing=True)
    )
    if fresh is None or fresh.anonymised_at is not None:
        return SignupStatus.WITHDRAWN
    return fresh.status


async def add_consent(
    session: AsyncSession,
    signup: Signup,
    kind: ConsentKind,
    *,
    given_by: str | None,
    method: ConsentMethod,
    now: dt.datetime,
) -> Consent:
    """Record the privacy statement's consent. A parent's permission has its own door,
    `record_parental_consent`, which checks who gives it and keeps the evidence."""
    if kind is ConsentKind.PARENTAL:
        raise ValueError("a parent's permission is recorded with record_parental_consent")
    return await _insert_consent(session, signup, kind, given_by=given_by, method=method, now=now)


async def _insert_consent(
    session: AsyncSession,
    signup: Signup,
    kind: ConsentKind,
    *,
    given_by: str | None,
    method: ConsentMethod,
    now: dt.datetime,
    **evidence: object,
) -> Consent:
    consent = Consent(
        programme_id=signup.programme_id,
        person_id=signup.person_id,
        signup_id=signup.id,
        kind=kind,
        version=PRIVACY_VERSION,
        given_by=given_by[:128] if given_by else None,
        method=method,
        given_at=now,
        **evidence,
    )
    session.add(consent)
    await session.flush()
    return consent


async def parental_consent_refusal(
    session: AsyncSession, signup: Signup, telegram_id: int | str
) -> ConsentRefusal | None:
    """Why this Telegram account may not give the parent's permission for `signup`, or None.

    Refused: the participant's own account, and any account of someone with a signup or with
    the participant or citytrainer role (in any programme).
    """
    member = await people.find_member(session, people.TELEGRAM, str(telegram_id))
    if member is None:
        return None
    has_signup = (
        await session.scalar(select(Signup.id).where(Signup.person_id == member.person.id).limit(1))
        is not None
    )
    return consent_refusal(
        is_the_participant=member.person.id == signup.person_id,
        has_signup=has_signup,
        roles=member.roles,
    )


@dataclass(frozen=True)
class TelegramAccount:
    """The Telegram account that gave a parent's permission (id and the name it shows)."""

    id: int
    name: str


async def record_parental_consent(
    session: AsyncSession,
    signup: Signup,
    *,
    method: ConsentMethod,
    route: ConsentRoute,
    now: dt.datetime,
    account: TelegramAccount | None = None,
    stated_name: str | None = None,
    recorded_by: int | None = None,
) -> Consent | ConsentRefusal:
    """The one way a parent's permission is recorded, with its evidence.

    - On Telegram (`account`), the account is checked first (`parental_consent_refusal`):
      nothing is recorded for a participant's account, the refusal is returned instead.
    - `route` is how the request reached the parent (the consent token's route; `PAPER` for a
      signed form, with the coordinator who recorded it as `recorded_by`).
    - The contact is the parent's contact of the signup; the stated name is the parent's name
      of the signup unless another is given (paper: the name on the form).
    - Verified at once for the e-mail route (by the e-mail to the parent's address) and for
      paper (by the coordinator who recorded it); a forwarded link stays unverified until a
      coordinator confirms it by phone (`verify_parental_consent`).
    """
    if method is ConsentMethod.TELEGRAM and account is None:
        raise ValueError("a permission given on Telegram needs the account that gave it")
    if account is not None:
        refusal = await parental_consent_refusal(session, signup, account.id)
        if refusal is not None:
            return refusal
        signup.parent_telegram_id = str(account.id)
    name = stated_name or signup.parent_name or ""
    given_by = f"{name} (Telegram: {account.name})" if account is not None else name
    verified = verified_when_given(route)
    return await _insert_consent(
        session,
        signup,
        ConsentKind.PARENTAL,
        given_by=given_by or None,
        method=method,
        now=now,
        route=route,
        contact=signup.parent_contact,
        verified_at=now if verified else None,
        verified_by=recorded_by if verified else None,
    )


async def parental_consent(session: AsyncSession, signup_id: int) -> Consent | None:
    """The parent's permission for a signup that is not withdrawn (the newest), if any."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.signup_id == signup_id,
            Consent.kind == ConsentKind.PARENTAL,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )


async def consent_verified(session: AsyncSession, signup: Signup) -> bool:
    """True when the signup needs no parent's permission or has verified permission."""
    if not signup.needs_consent:
        return True
    consent = await parental_consent(session, signup.id)
    return consent is not None and consent.verified_at is not None


async def verify_parental_consent(
    session: AsyncSession, signup: Signup, coordinator_id: int, now: dt.datetime
) -> Consent | None:
    """A coordinator called the parent and confirmed: record who and when.

    None when there is no permission to confirm; an already verified permission is returned
    unchanged (the first confirmation counts, also when two coordinators confirm at once: a
    conditional update on `verified_at IS NULL`).
    """
    consent = await parental_consent(session, signup.id)
    if consent is None:
        return None
    await session.execute(
        update(Consent)
        .where(Consent.id == consent.id, Consent.verified_at.is_(None))
        .values(verified_at=now, verified_by=coordinator_id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(consent)
    return consent


async def consents_of(session: AsyncSession, signup_id: int) -> list[Consent]:
    return list(
        await session.scalars(
            select(Consent).where(Consent.signup_id == signup_id).order_by(Consent.id)
        )
    )


def new_token() -> str:
    """An opaque token: 32 characters of A-Za-z0-9_- (192 random bits)."""
    return secrets.token_urlsafe(24)


async def issue_consent_token(
    session: AsyncSession,
    signup: Signup,
    now: dt.datetime,
    valid_days: int,
    route: ConsentRoute = ConsentRoute.FORWARDED,
) -> str:
    """A new consent token for the signup, sent by `route`; earlier unused ones stop working."""
    await session.execute(
        update(ConsentToken)
        .where(
            ConsentToken.signup_id == signup.id,
            ConsentToken.used_at.is_(None),
            ConsentToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    session.add(
        ConsentToken(
            signup_id=signup.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=valid_days),
            route=route,
        )
    )
    await session.flush()
    return token


class TokenProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ConsentRequest:
    token: ConsentToken
    signup: Signup
    person: Person


async def find_consent_request(
    session: AsyncSession, token: str, now: dt.datetime
) -> ConsentRequest | TokenProblem:
    """The open consent request behind a token, or why the token does not work."""
    if not token_shape_ok(token):
        return TokenProblem.UNKNOWN
    row = await session.scalar(
        select(ConsentToken).where(ConsentToken.token_hash == token_hash(token))
    )
    if row is None:
        return TokenProblem.UNKNOWN
    if row.used_at is not None or row.revoked_at is not None:
        return TokenProblem.USED
    if row.expires_at <= now:
        return TokenProblem.EXPIRED
    signup = await session.get(Signup, row.signup_id)
    if signup is None or signup.status != SignupStatus.AWAITING_CONSENT:
        return TokenProblem.USED
    person = await session.get(Person, signup.person_id)
    assert person is not None
    return ConsentRequest(row, signup, person)


async def latest_token(session: AsyncSession, signup_id: int) -> ConsentToken | None:
    return await session.scalar(
        select(ConsentToken)
        .where(ConsentToken.signup_id == signup_id)
        .order_by(ConsentToken.id.desc())
        .limit(1)
    )


async def delete_signup_data(session: AsyncSession, signup: Signup) -> None:
    """Delete a signup that never went ahead (consent expired or refused) and its answers."""
    person = await session.get(Person, signup.person_id)
    if person is not None:
        person.first_name = None
        person.last_name = None
        person.birth_date = None
        person.postcode = None
    await session.execute(delete(Consent).where(Consent.signup_id == signup.id))
    await session.execute(delete(ConsentToken).where(ConsentToken.signup_id == signup.id))
    await session.delete(signup)
    await session.flush()


async def awaiting_consent(session: AsyncSession) -> list[tuple[Signup, ConsentToken]]:
    """Signups waiting for a parent, each with its newest token."""
    signups = list(
        await session.scalars(
            select(Signup).where(Signup.status == SignupStatus.AWAITING_CONSENT).order_by(Signup.id)
        )
    )
    result = []
    for signup in signups:
        token = await latest_token(session, signup.id)
        if token is not None:
            result.append((signup, token))
    return result


async def signups_of_parent(session: AsyncSession, telegram_id: str) -> list[Signup]:
    return list(
        await session.scalars(
            select(Signup).where(
                Signup.parent_telegram_id == telegram_id,
                Signup.status.in_(OPEN_STATUSES),
                Signup.anonymised_at.is_(None),
            )
        )
    )


async def pending_for_coordinator(session: AsyncSession, programme_id: int) -> list[Signup]:
    return list(
        await session.scalars(
            select(Signup)
            .where(
                Signup.programme_id == programme_id,
                Signup.status.in_((SignupStatus.AWAITING_CONSENT, *UNDECIDED)),
                Signup.anonymised_at.is_(None),
            )
            .order_by(Signup.id)
            .limit(30)
        )
    )


async def create_invite(
    session: AsyncSession,
    programme_id: int,
    cohort_id: int,
    created_by: int | None,
    now: dt.datetime,
    *,
    valid_days: int | None,
    max_uses: int | None,
) -> str:
    token = new_token()
    session.add(
        GroupInvite(
            programme_id=programme_id,
            cohort_id=cohort_id,
            token_hash=token_hash(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + dt.timedelta(days=valid_days) if valid_days else None,
            max_uses=max_uses,
            uses=0,
        )
    )
    await session.flush()
    return token


async def use_invite(
    session: AsyncSession, token: str, now: dt.datetime
) -> GroupInvite | TokenProblem:
    """Count one use of a group invite; or say why it does not work.

    The count is one conditional update (`SET uses = uses + 1 WHERE ... uses < max_uses AND
    expires_at > now RETURNING`), never a read-modify-write: N people redeeming a link with
    `max_uses` k at the same moment give exactly k uses (on PostgreSQL the others wait for the
    row lock and then find it used up).
    """
    if not token_shape_ok(token):
        return TokenProblem.UNKNOWN
    digest = token_hash(token)
    invite = await session.scalar(
        update(GroupInvite)
        .where(
            GroupInvite.token_hash == digest,
            or_(GroupInvite.expires_at.is_(None), GroupInvite.expires_at > now),
            or_(GroupInvite.max_uses.is_(None), GroupInvite.uses < GroupInvite.max_uses),
        )
        .values(uses=GroupInvite.uses + 1)
        .returning(GroupInvite),
        execution_options={"synchronize_session": False, "populate_existing": True},
    )
    if invite is not None:
        return invite
    found = await session.scalar(
        select(GroupInvite)
        .where(GroupInvite.token_hash == digest)
        .execution_options(populate_existing=True)
    )
    if found is None:
        return TokenProblem.UNKNOWN
    if found.expires_at is not None and found.expires_at <= now:
        return TokenProblem.EXPIRED
    return TokenProblem.USED


async def claim_for_paper_consent(
    session: AsyncSession, signup: Signup, now: dt.datetime
) -> AlreadyDecided | None:
    """A coordinator records a signed paper form: the signup leaves `awaiting_consent` once.

    The open consent links stop first (the same order of locks as a parent using a link:
    token, then signup), then the signup moves on with a conditional update, so a paper form
    and a parent's tap at the same moment, or two coordinators, record one permission. None
    when this call may record it; otherwise where the signup stands now.
    """
    await revoke_tokens(session, signup.id, now)
    return await decide(
        session,
        signup,
        (SignupStatus.AWAITING_CONSENT,),
        SignupStatus.SUBMITTED,
        submitted_at=now,
    )


async def revoke_tokens(session: AsyncSession, signup_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(ConsentToken)
        .where(ConsentToken.signup_id == signup_id, ConsentToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def mark_token_used(session: AsyncSession, token: ConsentToken, now: dt.datetime) -> bool:
    """Use a token once (a second use, even at the same time, gets False)."""
    result = await session.execute(
        update(ConsentToken)
        .where(
            ConsentToken.id == token.id,
            ConsentToken.used_at.is_(None),
            ConsentToken.revoked_at.is_(None),
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def tracks_of(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    """Known tracks of people, from their signups: "sport", "culture", or "unknown" (the answer
    "weet ik nog niet")."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Signup.person_id, Signup.track).where(Signup.person_id.in_(person_ids))
    )
    return {pid: str(track) for pid, track in rows.all() if track}
