"""Typed conversation state of the hours flows: one small dataclass per flow.

`load(state)` reads what the flow saved so far and never raises: state saved by an older
version may lack keys or hold odd values, and a missing or unreadable value is None (the
handler then says how to start again). `save(state)` writes every field under the same keys
as before (plain JSON values), so state saved before a deploy still loads, and the other way
round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self, TypeVar

from aiogram.fsm.context import FSMContext

from bot.kit.state import as_date, as_int, as_ints, as_member, as_text
from domain.hours.places import OrganisationKind, PlacementTrack

Raw = Mapping[str, Any]
E = TypeVar("E", bound=StrEnum)


class _Flow:
    """load/save around `from_raw`/`to_raw` of each flow's dataclass."""

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        raise NotImplementedError

    def to_raw(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        return cls.from_raw(await state.get_data())

    async def save(self, state: FSMContext) -> None:
        await state.update_data(self.to_raw())


@dataclass(frozen=True)
class LogDraft(_Flow):
    """/uren: a trainee logs hours (`conversations.log_hours`)."""

    placement: int | None = None
    day: dt.date | None = None
    minutes: int | None = None
    what: str | None = None

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        return cls(
            placement=as_int(raw.get("placement")),
            day=as_date(raw.get("day")),
            minutes=as_int(raw.get("minutes")),
            what=as_text(raw.get("what")),
        )

    def to_raw(self) -> dict[str, Any]:
        return {
            "placement": self.placement,
            "day": self.day.isoformat() if self.day is not None else None,
            "minutes": self.minutes,
            "what": self.what,
        }


@dataclass(frozen=True)
class DecisionDraft(_Flow):
    """A supervisor adjusts or rejects a log (`conversations.decide`)."""

    log: int | None = None

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        return cls(log=as_int(raw.get("log")))

    def to_raw(self) -> dict[str, Any]:
        return {"log": self.log}


@dataclass(frozen=True)
class CorrectionDraft(_Flow):
    """/corrigeer: a coordinator corrects a decided log (`conversations.correct`)."""

    log: int | None = None
    minutes: int | None = None

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        return cls(log=as_int(raw.get("log")), minutes=as_int(raw.get("minutes")))

    def to_raw(self) -> dict[str, Any]:
        return {"log": self.log, "minutes": self.minutes}


@dataclass(frozen=True)
class OrganisationDraft(_Flow):
    """A coordinator adds an organisation (`conversations.organisation`)."""

    name: str | None = None
    kind: OrganisationKind | None = None
    area: str | None = None

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        return cls(
            name=as_text(raw.get("name")),
            kind=as_member(OrganisationKind, raw.get("kind")),
            area=as_text(raw.get("area")),
        )

    def to_raw(self) -> dict[str, Any]:
        kind = self.kind.value if self.kind is not None else None
        return {"name": self.name, "kind": kind, "area": self.area}


@dataclass(frozen=True)
class PlacementDraft(_Flow):
    """A coordinator places a trainee (`conversations.placement`)."""

    org: int | None = None
    supervisors: tuple[int, ...] = ()
    trainee: int | None = None
    supervisor: int | None = None
    track: PlacementTrack | None = None
    motivation: str | None = None

    @classmethod
    def from_raw(cls, raw: Raw) -> Self:
        return cls(
            org=as_int(raw.get("org")),
            supervisors=as_ints(raw.get("supervisors")),
            trainee=as_int(raw.get("trainee")),
            supervisor=as_int(raw.get("supervisor")),
            track=as_member(PlacementTrack, raw.get("track")),
            motivation=as_text(raw.get("motivation")),
        )

    def to_raw(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "supervisors": list(self.supervisors),
            "trainee": self.trainee,
            "supervisor": self.supervisor,
            "track": self.track.value if self.track is not None else None,
            "motivation": self.motivation,
        }
