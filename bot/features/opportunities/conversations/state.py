"""The typed conversation state of the opportunities feature's flows.

The FSM data is stored as a plain JSON object, in the layout each flow has always used; state
saved by an older version may lack keys or hold odd values, so loading fills in None (or 0 for
the step) and never raises.
- /kans (`post.PostOpportunity`): `PostData`, the answers by question name plus `step`;
- the hours after an opportunity (`hours.OppHours`): `HoursData`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

from aiogram.fsm.context import FSMContext

from bot.kit.state import as_date, as_int, as_text

NONE = "-"
"""The answer "ongoing", "no minimum age", "everywhere" or "no deadline" in /kans."""

AnswerName = Literal[
    "title",
    "organisation",
    "description",
    "starts_at",
    "place",
    "minutes",
    "places",
    "track",
    "for_trainees",
    "min_age",
    "neighbourhoods",
    "deadline",
]
"""The names of the /kans questions; each answer is stored under its question's name."""

Answer = str | int
"""A parsed /kans answer: text, a number or NONE."""


def _answer(value: object) -> Answer | None:
    return value if isinstance(value, str) else as_int(value)


@dataclass(frozen=True)
class PostData:
    """The /kans answers so far (None: not answered yet)."""

    step: int = 0
    """The index of the question being asked (== the number answered)."""
    title: str | None = None
    organisation: str | None = None
    description: str | None = None
    starts_at: str | None = None
    """An ISO moment (UTC), or NONE: ongoing."""
    place: str | None = None
    minutes: int | None = None
    places: int | None = None
    track: str | None = None
    """`PostChoice`: sport, culture or both."""
    for_trainees: str | None = None
    """`PostChoice`: yes or no."""
    min_age: Answer | None = None
    """An age, or NONE."""
    neighbourhoods: str | None = None
    """ "Noord, West", or NONE: everywhere."""
    deadline: str | None = None
    """An ISO moment (UTC), or NONE."""

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> PostData:
        values: dict[str, Any] = {"step": as_int(raw.get("step")) or 0}
        for name in ("minutes", "places"):
            values[name] = as_int(raw.get(name))
        values["min_age"] = _answer(raw.get("min_age"))
        for name in get_args(AnswerName):
            if name not in values:
                values[name] = as_text(raw.get(name))
        return cls(**values)

    def to_data(self) -> dict[str, Any]:
        """The flat layout: `step` and the answers given (unanswered questions left out)."""
        data: dict[str, Any] = {"step": self.step}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name != "step" and value is not None:
                data[item.name] = value
        return data

    def answered(self, name: AnswerName, value: Answer) -> PostData:
        """With the answer to the current question, and the next one to ask."""
        changes: dict[str, Any] = {name: value, "step": self.step + 1}
        return replace(self, **changes)

    def missing(self) -> list[AnswerName]:
        """The questions not answered (empty when it can be published)."""
        return [name for name in get_args(AnswerName) if getattr(self, name) is None]


async def load_post(state: FSMContext) -> PostData:
    return PostData.from_data(await state.get_data())


async def save_post(state: FSMContext, data: PostData) -> None:
    await state.set_data(data.to_data())


@dataclass(frozen=True)
class HoursData:
    """The hours done at an opportunity, so far. Stored under the keys it always had: `signup`,
    `day` (ISO date), `minutes`, `what` (None: skipped)."""

    signup_id: int | None = None
    day: dt.date | None = None
    """The opportunity's local date: the work date of the log."""
    minutes: int | None = None
    what: str | None = None

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> HoursData:
        return cls(
            signup_id=as_int(raw.get("signup")),
            day=as_date(raw.get("day")),
            minutes=as_int(raw.get("minutes")),
            what=as_text(raw.get("what")),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "signup": self.signup_id,
            "day": self.day.isoformat() if self.day is not None else None,
            "minutes": self.minutes,
            "what": self.what,
        }


async def load_hours(state: FSMContext) -> HoursData:
    return HoursData.from_data(await state.get_data())


async def save_hours(state: FSMContext, data: HoursData) -> None:
    await state.set_data(data.to_data())
