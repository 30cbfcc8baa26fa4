"""Organisations (ervaringsplekken), supervisors' invites, placements and practice hours.

Contracts with other features: `PracticeHours.minutes` is what counts (after a correction),
`status` is a `domain.hours.practice.LogStatus`, `kind` a `domain.hours.practice.HoursKind`
("practice" or "volunteer"; stored as plain text, see `storage.types.EnumText`) and
`opportunity_id` links a log to an opportunity (no foreign key). Every decision or correction is
kept in `PracticeHoursChange` (who, when, old, new, reason).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import HoursKind, LogStatus
from storage.models import Base, fk
from storage.types import EnumText


class Organisation(Base):
    """A club, association or cultural institution: an "ervaringsplek"."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrganisationKind] = mapped_column(EnumText(OrganisationKind, 16))
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class SupervisorInvite(Base):
    """A single-use, expiring deep link that makes someone a supervisor of an organisation.

    Only the sha256 of the token is stored.
    """

    __tablename__ = "supervisor_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    organisation_id: Mapped[int] = fk("organisation.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")


class Placement(Base):
    """A trainee placed at an organisation with a supervisor ("warme overdracht")."""

    __tablename__ = "placement"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    organisation_id: Mapped[int] = fk("organisation.id")
    supervisor_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    track: Mapped[PlacementTrack | None] = mapped_column(EnumText(PlacementTrack, 16))
    motivation: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]


class PracticeHours(Base):
    """Practice (or volunteer) minutes logged by a trainee, decided by a supervisor."""

    __tablename__ = "practice_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    organisation_id: Mapped[int | None] = fk("organisation.id", nullable=True, ondelete="SET NULL")
    work_date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    """The minutes that count (the corrected minutes after a correction)."""
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[LogStatus] = mapped_column(EnumText(LogStatus, 16))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    kind: Mapped[HoursKind] = mapped_column(
        EnumText(HoursKind, 16), default=HoursKind.PRACTICE, server_default=HoursKind.PRACTICE.value
    )
    opportunity_id: Mapped[int | None] = mapped_column(Integer)
    placement_id: Mapped[int | None] = fk("placement.id", nullable=True, ondelete="SET NULL")
    logged_minutes: Mapped[int | None] = mapped_column(Integer)
    """The minutes the trainee logged (kept when a supervisor corrects them)."""
    reason: Mapped[str | None] = mapped_column(Text)
    """Why the log was rejected or corrected."""
    reminder_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """`domain.practice.ReminderStep` already carried out for this pending log."""


class PracticeHoursChange(Base):
    """History of a log: every decision and correction (who, when, old, new, why)."""

    __tablename__ = "practice_hours_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = fk("practice_hours.id")
    changed_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    changed_at: Mapped[dt.datetime]
    old_status: Mapped[LogStatus | None] = mapped_column(EnumText(LogStatus, 16))
    new_status: Mapped[LogStatus] = mapped_column(EnumText(LogStatus, 16))
    old_minutes: Mapped[int | None] = mapped_column(Integer)
    new_minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
