"""The schema. Alembic migrations (storage/migrations) are the only way it reaches a database.

Every record belongs to a programme (a municipality). A person is modelled apart from the
channels that reach them (`ChannelIdentity`: a Telegram account now, a web chat later).
All timestamps are stored in UTC (timezone-aware columns).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from storage.types import EnumText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, also on SQLite (which keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class OutboxStatus(StrEnum):
    """Where an outbox row is: waiting, handed to Telegram, or done (one of the final states)."""

    PENDING = "pending"
    CLAIMED = "claimed"  # taken by one sender for its batch; not yet handed to Telegram
    SENDING = "sending"  # committed just before this row's own call to Telegram
    SENT = "sent"
    FAILED = "failed"  # refused for good (e.g. "chat not found")
    UNREACHABLE = "unreachable"  # the person blocked the bot or left
    UNCERTAIN = "uncertain"  # stopped or timed out during the call: maybe arrived, never resent
    DEAD = "dead"  # could not be delivered within the retry window (dead letter)
    CANCELLED = "cancelled"  # no longer useful before it was sent (e.g. a moved session)


WAITING_STATUSES = frozenset({OutboxStatus.PENDING, OutboxStatus.CLAIMED, OutboxStatus.SENDING})
"""Not delivered yet, and still on its way."""
LOST_STATUSES = frozenset({OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, OutboxStatus.DEAD})
"""Ended without (certain) delivery: reported to whoever asked for a report."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON}


def fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Programme(Base):
    """A municipality running Citytrainers; its thresholds live in `settings`."""

    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]


class Person(Base):
    """Someone the programme knows. Personal fields are nulled on deletion (anonymised)."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    first_name: Mapped[str | None] = mapped_column(String(64))
    last_name: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[dt.datetime]
    anonymised_at: Mapped[dt.datetime | None]

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="person")
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", foreign_keys="RoleGrant.person_id"
    )


class ChannelIdentity(Base):
    """How a person is reached: (channel, external id), e.g. ("telegram", "12345")."""

    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = fk("person.id")
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_since: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    person: Mapped[Person] = relationship(back_populates="identities")


class RoleGrant(Base):
    """A role of a person in a programme (optionally at an organisation). Revoked, not deleted."""

    __tablename__ = "role_grant"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = fk("person.id")
    programme_id: Mapped[int] = fk("programme.id")
    role: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = fk("organisation.id", nullable=True)
    granted_at: Mapped[dt.datetime]
    granted_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    revoked_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])


class OutboxMessage(Base):
    """A message that must reach someone later; written in the transaction that causes it.

    status: pending -> claimed (a sender's batch) -> sending (just before its own call) -> sent |
    failed | unreachable | uncertain (a crash or timeout mid-call: never sent again, so nobody
    gets a message twice) | dead (retried for the whole window). A claimed row of a sender that
    died goes back to pending: it never reached Telegram.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "priority", "not_before"),
        Index("ix_outbox_sent_message", "chat_id", "telegram_message_id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    programme_id: Mapped[int | None] = fk("programme.id", nullable=True, ondelete="SET NULL")
    person_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    chat_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        EnumText(OutboxStatus, 16), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    claimed_at: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(300))
    ref: Mapped[str | None] = mapped_column(String(64))  # what a reply to it is about
    first_attempt_at: Mapped[dt.datetime | None]  # the retry window counts from here
    report_to: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    """Who is told when this message is lost (failed, uncertain, dead): e.g. the coordinator
    whose answer it carries."""


class ProcessedUpdate(Base):
    """Update ids already handled (kept 24 h), so a redelivered update is handled once."""

    __tablename__ = "processed_update"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class FsmRecord(Base):
    """aiogram FSM state and data of one conversation key."""

    __tablename__ = "fsm_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime]


class Question(Base):
    """A question someone asked the coordinators through the bot, and the answer."""

    __tablename__ = "question"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]
    answered_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
