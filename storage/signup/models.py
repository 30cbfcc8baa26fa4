"""Signups: answers, places in training groups, consents, consent tokens and group invites.

Personal answers live on `Signup`; on deletion (/verwijderen, retention) the free text and
parent details are nulled and `anonymised_at` is set, while the category answers (track,
gender, school type, heard-from, age at signup) and the outcome stay for the figures.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.signup.status import (
    ConsentKind,
    ConsentMethod,
    ConsentRoute,
    EnrolmentStatus,
    SignupStatus,
)
from storage.models import Base, fk
from storage.types import EnumText


class Enrolment(Base):
    """A person's place (or waiting-list position, or offer) in a cohort.

    status: `EnrolmentStatus` (placed, waiting, offered, withdrawn, declined). One row per person
    per group; at most one place (`placed`) per person per programme, whatever races
    (`uq_enrolment_one_place`, a partial unique index).
    """

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("cohort_id", "person_id"),
        Index(
            "uq_enrolment_one_place",
            "programme_id",
            "person_id",
            unique=True,
            postgresql_where=text("status = 'placed'"),
            sqlite_where=text("status = 'placed'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[EnrolmentStatus] = mapped_column(EnumText(EnrolmentStatus, 16))
    created_at: Mapped[dt.datetime]
    track: Mapped[str | None] = mapped_column(String(16))
    offered_at: Mapped[dt.datetime | None]
    offer_expires_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]


class Consent(Base):
    """A consent given (privacy statement, parental consent): what version, who, how, when.

    A parent's permission also keeps its evidence (`domain.signup.consent`): `route` (e-mail to
    the parent, a link the participant forwarded, or paper), `contact` (the parent's phone number
    or e-mail address the request was for), `given_by` (the name stated for the parent), and
    whether it is verified (`verified_at`) and by which coordinator (`verified_by`; none for
    the e-mail route, where the e-mail to the parent's address is the check).
    """

    __tablename__ = "consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    kind: Mapped[ConsentKind] = mapped_column(EnumText(ConsentKind, 16))
    version: Mapped[str] = mapped_column(String(16))
    given_by: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[ConsentMethod] = mapped_column(EnumText(ConsentMethod, 16))
    given_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
    signup_id: Mapped[int | None] = mapped_column(Integer, index=True)
    route: Mapped[ConsentRoute | None] = mapped_column(EnumText(ConsentRoute, 16))
    contact: Mapped[str | None] = mapped_column(String(128))
    verified_at: Mapped[dt.datetime | None]
    verified_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")


class Signup(Base):
    """One signup for the course and what happened to it.

    status: `SignupStatus` (awaiting_consent -> submitted -> placed | waiting | declined;
    withdrawn).
    """

    __tablename__ = "signup"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[SignupStatus] = mapped_column(EnumText(SignupStatus, 24))
    track: Mapped[str] = mapped_column(String(16))
    age_at_signup: Mapped[int] = mapped_column(Integer)
    motivation: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(16))
    school: Mapped[str | None] = mapped_column(String(16))
    heard_from: Mapped[str | None] = mapped_column(String(16))
    contact: Mapped[str | None] = mapped_column(String(16))
    needs_consent: Mapped[bool]
    parent_name: Mapped[str | None] = mapped_column(String(64))
    parent_contact: Mapped[str | None] = mapped_column(String(128))
    parent_telegram_id: Mapped[str | None] = mapped_column(String(64))
    cohort_id: Mapped[int | None] = fk("cohort.id", nullable=True, ondelete="SET NULL")
    privacy_version: Mapped[str] = mapped_column(String(16))
    privacy_accepted_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    anonymised_at: Mapped[dt.datetime | None]


class ConsentToken(Base):
    """A parental-consent link: only the sha256 of the token is stored; single-use, expiring.

    `route`: how the link reached the parent (`ConsentRoute`; none for links made before it was
    kept: forwarded).
    """

    __tablename__ = "signup_consent_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = fk("signup.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    route: Mapped[ConsentRoute | None] = mapped_column(EnumText(ConsentRoute, 16))


class GroupInvite(Base):
    """An invitation link to one group (opaque token, optional expiry and maximum uses)."""

    __tablename__ = "signup_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
