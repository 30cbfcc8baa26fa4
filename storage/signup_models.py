"""Signups: places in training groups and consents (the signup issue)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, fk


class Enrolment(Base):
    """A person's place (or waiting-list position) in a cohort."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]


class Consent(Base):
    """A consent given (privacy statement, parental consent): what version, who, how, when."""

    __tablename__ = "consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(16))
    given_by: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
