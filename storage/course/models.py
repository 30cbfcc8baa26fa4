"""Training groups (cohorts), their dated sessions, leaders and invites for new leaders, answers
to reminders, attendance and certificates (the course issue).

Kinds, tracks, answers and attendance statuses are `domain.course.rules` enums, stored as plain
text (`storage.types.EnumText`: the database columns stay VARCHAR(16))."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.course.rules import AttendanceStatus, CourseTrack, ReminderAnswer, SessionKind
from storage.models import Base, fk
from storage.types import EnumText


class Cohort(Base):
    """A training group (at most `capacity` participants, 15 by default)."""

    __tablename__ = "cohort"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    name: Mapped[str] = mapped_column(String(100))
    track: Mapped[CourseTrack] = mapped_column(EnumText(CourseTrack, 16))
    capacity: Mapped[int] = mapped_column(Integer, default=15)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class CourseSession(Base):
    """One dated meeting, follow-up day or final presentation of a cohort.

    `seq` numbers the sessions of one kind from 1 (meeting 1..7, follow-up day 1..2).
    """

    __tablename__ = "course_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    kind: Mapped[SessionKind] = mapped_column(EnumText(SessionKind, 16))
    seq: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[dt.datetime | None]
    bring: Mapped[str | None] = mapped_column(String(200))
    attendance_saved_at: Mapped[dt.datetime | None]


class CohortLeader(Base):
    """A course leader (cursusleider) of a cohort."""

    __tablename__ = "cohort_leader"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = fk("cohort.id")
    person_id: Mapped[int] = fk("person.id")
    created_at: Mapped[dt.datetime]


class CourseLeaderInvite(Base):
    """A single-use, expiring deep link (`/start l-<token>`) that makes someone a course leader
    (cursusleider) of one cohort, in the cohort's programme.

    Only the sha256 of the token is stored.
    """

    __tablename__ = "course_leader_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    cohort_id: Mapped[int] = fk("cohort.id")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")


class SessionAnswer(Base):
    """A participant's answer to a reminder: "coming" or "cannot" (with an optional reason)."""

    __tablename__ = "session_answer"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = fk("course_session.id")
    person_id: Mapped[int] = fk("person.id")
    answer: Mapped[ReminderAnswer] = mapped_column(EnumText(ReminderAnswer, 16))
    reason: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[dt.datetime]


class Attendance(Base):
    """Whether a participant was present, absent or excused at a session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = fk("course_session.id")
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[AttendanceStatus] = mapped_column(EnumText(AttendanceStatus, 16))
    recorded_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    recorded_at: Mapped[dt.datetime]


class CourseCertificate(Base):
    """The steps to the certificate of one person: participation, request, approval."""

    __tablename__ = "course_certificate"
    __table_args__ = (UniqueConstraint("person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    cohort_id: Mapped[int | None] = fk("cohort.id", nullable=True, ondelete="SET NULL")
    participation_at: Mapped[dt.datetime | None]
    requested_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    approved_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    citytrainer_since: Mapped[dt.date | None] = mapped_column(Date)
