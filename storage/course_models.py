"""Training groups (cohorts) and their dated sessions (the course issue)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, fk


class Cohort(Base):
    """A training group (at most `capacity` participants, 15 by default)."""

    __tablename__ = "cohort"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    name: Mapped[str] = mapped_column(String(100))
    track: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer, default=15)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class CourseSession(Base):
    """One dated meeting, follow-up day or final presentation of a cohort."""

    __tablename__ = "course_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    kind: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[dt.datetime | None]
