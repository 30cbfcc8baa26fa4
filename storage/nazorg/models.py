"""Nazorg (issue 7): nudges sent to quiet Citytrainers, their answers, preferences, sweep runs.

- `NazorgNudge`: one step of a nudge cycle (first, second, follow_up) for a person; unique per
  (person, cycle start, step), so a step is recorded (and its outbox row written) at most once,
  also when two workers sweep at once. `cycle_start` is the moment the quiet clock started (last
  activity, else certification). A follow_up row is the coordinator's "persoonlijk benaderen"
  entry; `contacted_at`/`contacted_by`/`note` record that a coordinator got in touch.
- `NazorgReply`: an answer to a nudge (again, later, stop); counts as activity.
- `NazorgPreference`: nudges on/off, a pause (local date, inclusive), "Ik wil stoppen".
- `NazorgSweepRun`: one row per (programme, kind, local date or week): the daily sweep and the
  weekly digest run once per period.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.nazorg.engagement import NudgeStep, ReplyAnswer, Wording
from domain.nazorg.settings import RunKind
from storage.models import Base, fk
from storage.types import EnumText


class NazorgNudge(Base):
    __tablename__ = "nazorg_nudge"
    __table_args__ = (UniqueConstraint("person_id", "cycle_start", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    person_id: Mapped[int] = fk("person.id")
    cycle_start: Mapped[dt.datetime]
    step: Mapped[NudgeStep] = mapped_column(EnumText(NudgeStep, 16))
    wording: Mapped[Wording | None] = mapped_column(EnumText(Wording, 1))
    created_at: Mapped[dt.datetime]
    deliver_at: Mapped[dt.datetime | None]
    outbox_key: Mapped[str | None] = mapped_column(String(200))
    contacted_at: Mapped[dt.datetime | None]
    contacted_by: Mapped[int | None] = fk("person.id", nullable=True, ondelete="SET NULL")
    note: Mapped[str | None] = mapped_column(Text)


class NazorgReply(Base):
    __tablename__ = "nazorg_reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = fk("person.id")
    nudge_id: Mapped[int | None] = fk("nazorg_nudge.id", nullable=True, ondelete="SET NULL")
    answer: Mapped[ReplyAnswer] = mapped_column(EnumText(ReplyAnswer, 16))
    months: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(index=True)


class NazorgPreference(Base):
    __tablename__ = "nazorg_preference"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    nudges_off: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)
    stopped_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


class NazorgSweepRun(Base):
    __tablename__ = "nazorg_sweep_run"
    __table_args__ = (UniqueConstraint("programme_id", "kind", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = fk("programme.id")
    kind: Mapped[RunKind] = mapped_column(EnumText(RunKind, 16))
    period: Mapped[str] = mapped_column(String(16))  # 2026-03-02 or 2026-W10
    ran_at: Mapped[dt.datetime]
