"""What the course's conversations keep between steps, typed.

Each flow has a small frozen dataclass with `load(state)` and `save(state)`; `save` writes the
fields that are set and keeps the others (a partial update). The data is stored under the same
keys and in the same form as before (plain JSON: ids as numbers, a day as `yyyy-mm-dd`, a track
as its value), so a conversation begun before a deploy goes on. Loading never raises: a missing
or malformed value loads as its default (None, or 0 for a session).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Self

from aiogram.fsm.context import FSMContext

from bot.kit.state import as_date, as_member
from domain.course.rules import CourseTrack


def _number(raw: object) -> int:
    """A positive id (also from its digits as text), or 0."""
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return max(raw, 0)
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    return 0


def _text(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw else None


@dataclass(frozen=True)
class SessionStep:
    """The session a one-step flow is about (0: none)."""

    session: int = 0

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        data = await state.get_data()
        return cls(session=_number(data.get("session")))

    async def save(self, state: FSMContext) -> None:
        await state.update_data(session=self.session)


class AbsenceData(SessionStep):
    """ "Ik kan niet": the session whose leaders hear the reason."""


class MoveData(SessionStep):
    """/planning "Move": the session that gets a new day and time."""


@dataclass(frozen=True)
class NewGroupData:
    """/nieuwegroep: the answers so far (None: not given yet; `leader` 0: chosen later)."""

    name: str | None = None
    track: CourseTrack | None = None
    start: dt.date | None = None
    location: str | None = None
    leader: int | None = None

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        data = await state.get_data()
        return cls(
            name=_text(data.get("name")),
            track=as_member(CourseTrack, data.get("track")),
            start=as_date(data.get("start")),
            location=_text(data.get("location")),
            leader=_number(data.get("leader")),
        )

    async def save(self, state: FSMContext) -> None:
        values: dict[str, Any] = {}
        if self.name is not None:
            values["name"] = self.name
        if self.track is not None:
            values["track"] = self.track.value
        if self.start is not None:
            values["start"] = self.start.isoformat()
        if self.location is not None:
            values["location"] = self.location
        if self.leader is not None:
            values["leader"] = self.leader
        await state.update_data(values)


@dataclass(frozen=True)
class GroupAnswers:
    """Every answer needed to create the group."""

    name: str
    track: CourseTrack
    start: dt.date
    location: str
    leader: int


def complete(data: NewGroupData) -> GroupAnswers | None:
    """The answers when all are given, or None (the state was lost or is from elsewhere)."""
    if data.name is None or data.track is None or data.start is None or data.location is None:
        return None
    return GroupAnswers(data.name, data.track, data.start, data.location, data.leader or 0)
