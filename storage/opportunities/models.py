"""Opportunities: posted by coordinators, broadcast, joined (the opportunities issue).

- `Opportunity`: posted by a coordinator; `places_taken` counts the places given, changed only
  by a conditional UPDATE (`places_taken < places`), so many taps at once never overbook.
- `OpportunitySignup`: a place (`placed`) or a waiting-list entry (`waiting`), `cancelled`
  when given up; `joined_at`, `attended`/`attended_at` feed the nazorg "last activity" rule.
- `OpportunityPreference`: opportunity messages on/off per person (nazorg's /instellingen).
- `OpportunityBroadcast` and `OpportunityRecipient`: one broadcast and who it was queued for;
  unique per (opportunity, person), so nobody gets the same opportunity twice.
An opportunity may come from an activity (`activity_id`, `storage.activities.models`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.opportunities.matching import Track
from domain.opportunities.status import OpportunityStatus, SignupStatus
from storage.models import Base, fk
from storage.types import EnumText


class BroadcastStatus(StrEnum):
    """Whether a broadcast still has messages waiting in the outbox."""

    RUNNING = "running"
    DONE = "done"  # the final report was queued


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
    track: Mapped[Track] = mapped_column(EnumText(Track, 16))
    min_age: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.datetime | None]
    status: Mapped[OpportunityStatus] = mapped_column(EnumText(OpportunityStatus, 16))
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
    status: Mapped[SignupStatus] = mapped_column(EnumText(SignupStatus, 16))
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
    status: Mapped[BroadcastStatus] = mapped_column(EnumText(BroadcastStatus, 16))
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
