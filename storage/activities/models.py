"""Citytrainers' own activities (the activities feature).

- `Activity`: a Citytrainer's proposal, its decision and its after-activity report;
- `ProposalMessage`: the threaded questions and answers about a proposal.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.activities.status import ActivityKind, ActivityStatus, Need, ThreadSide
from storage.models import Base, fk
from storage.types import EnumText


class Activity(Base):
    """An activity a Citytrainer proposed or organised; its figures feed the statistics.

    status (`ActivityStatus`): submitted -> approved | declined; the report sets `reported_at`,
    `happened`, `participants`, `minutes` and `story`.
    """

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ActivityKind] = mapped_column(EnumText(ActivityKind, 16))
    status: Mapped[ActivityStatus] = mapped_column(EnumText(ActivityStatus, 16))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    participants: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    target_group: Mapped[str | None] = mapped_column(String(200))
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    place: Mapped[str | None] = mapped_column(String(200))
    when_text: Mapped[str | None] = mapped_column(String(100))
    expected_participants: Mapped[int | None] = mapped_column(Integer)
    needs: Mapped[str | None] = mapped_column(Text)
    recruitment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    decision_reason: Mapped[str | None] = mapped_column(Text)
    report_asked_at: Mapped[dt.datetime | None]
    reported_at: Mapped[dt.datetime | None]
    happened: Mapped[bool | None] = mapped_column(Boolean)
    story: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))


class ProposalMessage(Base):
    """A question from a coordinator or an answer from the Citytrainer about a proposal."""

    __tablename__ = "proposal_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = fk("activity.id")
    author_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    side: Mapped[ThreadSide] = mapped_column(EnumText(ThreadSide, 16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


__all__ = ["Activity", "ActivityKind", "ActivityStatus", "Need", "ProposalMessage", "ThreadSide"]
