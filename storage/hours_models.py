"""Organisations (ervaringsplekken) and practice hours (the practice hours issue)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, fk


class Organisation(Base):
    """A club, association or cultural institution: an "ervaringsplek"."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class PracticeHours(Base):
    """Practice (or volunteer) minutes logged by a trainee, decided by a supervisor."""

    __tablename__ = "practice_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    organisation_id: Mapped[int | None] = fk("organisation.id", nullable=True, ondelete="SET NULL")
    work_date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
