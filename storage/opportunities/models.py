"""Opportunities and Citytrainers' own activities (the opportunities issue).

- `Opportunity`: posted by a coordinator; `places_taken` counts the places given, changed only
  by a conditional UPDATE (`places_taken < places`), so many taps at once never overbook.
- `OpportunitySignup`: a place (`placed`) or a waiting-list entry (`waiting`), `cancelled`
  when given up; `joined_at`, `attended`/`attended_at` feed the nazorg "last activity" rule.
- `OpportunityPreference`: opportunity messages on/off per person (nazorg's /instellingen).
- `OpportunityBroadcast` and `OpportunityRecipient`: one broadcast and who it was queued for;
  unique per (opportunity, person), so nobody gets the same opportunity twice.
- `Activity`: a Citytrainer's proposal, its decision and its after-activity report;
  `ProposalMessage`: the threaded questions and answers about a proposal.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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
    organisation_name: Mapped[str | None] = mapped_column(String(120))
    neighbourhoods: Mapped[str | None] = mapped_column(String(300))
    for_trainees: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    places_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    activity_id: Mapped[int | None] = fk("activity.id", nullable=True, ondelete="SET NULL")
    published_at: Mapped[dt.datetime | None]


class OpportunitySignup(Base):
    """A person's place at, or waiting-list entry for, an opportunity."""

    __tablename__ = "opportunity_signup"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = fk("opportunity.id")
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[str] = mapped_column(String(16))  # placed, waiting, cancelled
    joined_at: Mapped[dt.datetime]
    placed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    attended: Mapped[bool | None] = mapped_column(Boolean)
    attended_at: Mapped[dt.datetime | None]


class OpportunityPreference(Base):
    """Whether a person wants opportunity messages (default: yes)."""

    __tablename__ = "opportunity_preference"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    programme_id: Mapped[int] = fk("programme.id")
    opportunity_messages: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime]


class OpportunityBroadcast(Base):
    """One broadcast of an opportunity, and the coordinator's progress message."""

    __tablename__ = "opportunity_broadcast"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    opportunity_id: Mapped[int] = fk("opportunity.id")
    requested_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    chat_id: Mapped[str] = mapped_column(String(64))
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # running, done
    progress: Mapped[str | None] = mapped_column(String(64))  # the counts last shown
    progress_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class OpportunityRecipient(Base):
    """A person an opportunity was queued for (at most once per opportunity)."""

    __tablename__ = "opportunity_recipient"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = fk("opportunity_broadcast.id")
    opportunity_id: Mapped[int] = fk("opportunity.id")
    person_id: Mapped[int] = fk("person.id")
    outbox_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime]


class Activity(Base):
    """An activity a Citytrainer proposed or organised; its figures feed the statistics.

    status: submitted -> approved | declined; the report sets `reported_at`, `happened`,
    `participants`, `minutes` and `story`.
    """

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
    side: Mapped[str] = mapped_column(String(16))  # coordinator, citytrainer
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
