"""Opportunities and Citytrainers' own activities (the opportunities issue)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, fk


class Opportunity(Base):
    """A practice or volunteer opportunity posted by a coordinator (praktijkervaringsbank)."""

    __tablename__ = "opportunity"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    organisation_id: Mapped[int | None] = fk("organisation.id", nullable=True, ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime | None]
    place: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int | None] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    track: Mapped[str] = mapped_column(String(16))
    min_age: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]


class Activity(Base):
    """An activity a Citytrainer organised; its figures feed the programme's statistics."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    participants: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
