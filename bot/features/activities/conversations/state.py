"""The typed conversation state of the activities feature's flows.

The FSM data is stored (in the database) as a plain JSON object; state saved by an older
version may lack keys or hold odd values, so loading fills in defaults and never raises.
- /voorstel (`Propose`): `ProposalData`, the answers by question name plus `step` and `needs`;
- the thread about a proposal (`ProposalChat`): `ThreadData`, which proposal;
- the after-activity report (`Report`): `ReportData`, the activity and the answers so far.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, TypedDict, cast, get_args

from aiogram.fsm.context import FSMContext

AnswerName = Literal[
    "title",
    "kind",
    "group",
    "age",
    "neighbourhood",
    "place",
    "when",
    "expected",
    "needs",
    "recruitment",
]
"""The names of the /voorstel questions; each answer is stored under its question's name."""
ANSWER_NAMES = cast(tuple[AnswerName, ...], get_args(AnswerName))


class ProposalData(TypedDict, total=False):
    """The /voorstel answers so far (the flat layout stored since the flow exists)."""

    step: int
    """The index of the question being asked."""
    needs: list[str]
    """The chosen `Need` values, in the order tapped."""
    title: str
    kind: str
    group: str
    age: str
    neighbourhood: str
    place: str
    """The place, or "-" (don't know yet)."""
    when: list[str]
    """[the date or period as typed, its last day as an ISO date]."""
    expected: int
    recruitment: str


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return default


def proposal_data(raw: dict[str, Any]) -> ProposalData:
    """The known keys of stored /voorstel data, with `step` and `needs` always present."""
    needs = raw.get("needs")
    data: ProposalData = {
        "step": _int(raw.get("step")),
        "needs": [n for n in needs if isinstance(n, str)] if isinstance(needs, list) else [],
    }
    for name in ANSWER_NAMES:
        if name != "needs" and name in raw:
            data[name] = raw[name]
    return data


async def load_proposal(state: FSMContext) -> ProposalData:
    return proposal_data(await state.get_data())


async def save_proposal(state: FSMContext, data: ProposalData) -> None:
    await state.set_data(dict(data))


@dataclass(frozen=True)
class ThreadData:
    """Which proposal a coordinator asks or declines about, or its Citytrainer answers."""

    activity: int = 0


async def load_thread(state: FSMContext) -> ThreadData:
    raw = await state.get_data()
    return ThreadData(activity=_int(raw.get("activity")))


async def save_thread(state: FSMContext, data: ThreadData) -> None:
    await state.set_data(asdict(data))


@dataclass(frozen=True)
class ReportData:
    """The after-activity report so far."""

    activity: int = 0
    participants: int = 0
    minutes: int = 0


async def load_report(state: FSMContext) -> ReportData:
    raw = await state.get_data()
    return ReportData(
        activity=_int(raw.get("activity")),
        participants=_int(raw.get("participants")),
        minutes=_int(raw.get("minutes")),
    )


async def save_report(state: FSMContext, data: ReportData) -> None:
    await state.set_data(asdict(data))
