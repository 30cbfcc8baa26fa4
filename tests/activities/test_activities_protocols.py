"""The typed protocols of the activities (and /cijfers) feature: callback data packs exactly as
before, refs and keys keep their texts, stored conversation state loads with defaults."""

from __future__ import annotations

from enum import StrEnum

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.features.activities import keys
from bot.features.activities.callbacks import (
    CALLBACKS,
    AgendaAction,
    AgendaPageCb,
    DecisionAction,
    DecisionCb,
    HelperCount,
    HelpersAction,
    HelpersCb,
    NeedAction,
    NeedCb,
    ProposalAction,
    ProposalCb,
    ReportAction,
    ReportCb,
)
from bot.features.activities.conversations.proposal_steps import NEEDS_STEP, STEPS, UNKNOWN
from bot.features.activities.conversations.state import (
    ReportData,
    ThreadData,
    load_proposal,
    load_report,
    load_thread,
    proposal_data,
    save_proposal,
    save_report,
    save_thread,
)
from bot.features.impact.callbacks import FiguresAction, FiguresCb, FiguresPeriod
from storage.activities.models import ActivityKind, ActivityStatus, Need

ALL_PR: tuple[type[CallbackData], ...] = (*CALLBACKS, FiguresCb)

# what the buttons looked like when they were built as `Pr(a=..., i=..., v=...)`
OLD_PAYLOADS: list[tuple[CallbackData, str]] = [
    (DecisionCb(action=DecisionAction.APPROVE, activity_id=5), "pr:ok:5:"),
    (DecisionCb(action=DecisionAction.ASK, activity_id=5), "pr:ask:5:"),
    (DecisionCb(action=DecisionAction.DECLINE, activity_id=5), "pr:no:5:"),
    (DecisionCb(action=DecisionAction.ANSWER, activity_id=5), "pr:answer:5:"),
    (HelpersCb(action=HelpersAction.ASK, activity_id=12), "pr:helpers:12:"),
    (
        HelpersCb(action=HelpersAction.COUNT, activity_id=12, count=HelperCount.TEN),
        "pr:hn:12:10",
    ),
    (AgendaPageCb(action=AgendaAction.PAGE, index=10), "pr:ag:10:"),
    (AgendaPageCb(action=AgendaAction.PAGE), "pr:ag:0:"),
    (ReportCb(action=ReportAction.HAPPENED, activity_id=3), "pr:ry:3:"),
    (ReportCb(action=ReportAction.NOT_HAPPENED, activity_id=3), "pr:rn:3:"),
    (ReportCb(action=ReportAction.SKIP_STORY), "pr:skip:0:"),
    (ProposalCb(action=ProposalAction.PICK, step=1, choice="sport"), "pr:pick:1:sport"),
    (ProposalCb(action=ProposalAction.PICK, step=5, choice="-"), "pr:pick:5:-"),
    (ProposalCb(action=ProposalAction.NEEDS_DONE, step=8), "pr:needs_done:8:"),
    (ProposalCb(action=ProposalAction.SUBMIT), "pr:submit:0:"),
    (ProposalCb(action=ProposalAction.STOP), "pr:stop:0:"),
    (NeedCb(action=NeedAction.TOGGLE, step=8, need=Need.MONEY), "pr:need:8:money"),
    (NeedCb(action=NeedAction.TOGGLE, step=8, need=Need.PARTNER), "pr:need:8:partner"),
    (FiguresCb(action=FiguresAction.PERIOD), "pr:fig:0:year"),
    (FiguresCb(action=FiguresAction.PERIOD, period=FiguresPeriod.LAST_YEAR), "pr:fig:0:last"),
    (FiguresCb(action=FiguresAction.PERIOD, period=FiguresPeriod.EVERYTHING), "pr:fig:0:all"),
]

FORGED = [
    "pr:ok:5",  # a part missing
    "pr:ok:5::x",  # a part too many
    "pr:ok:five:",  # not an id
    "pr:back:0:",  # an action of an older /voorstel
    "pr:zz:1:",
    "pr:hn:12:7",  # a helper count never offered
    "pr:need:8:pony",
    "pr:fig:0:decade",
    "pr",
    "",
]


def _parsers(data: str) -> list[type[CallbackData]]:
    found = []
    for cls in ALL_PR:
        try:
            cls.unpack(data)
        except (TypeError, ValueError):
            continue
        found.append(cls)
    return found


@pytest.mark.parametrize(("button", "packed"), OLD_PAYLOADS)
def test_buttons_pack_as_before_and_only_one_class_reads_them(
    button: CallbackData, packed: str
) -> None:
    assert button.pack() == packed
    assert len(packed.encode()) <= 64
    assert _parsers(packed) == [type(button)]
    assert type(button).unpack(packed) == button


@pytest.mark.parametrize("data", FORGED)
def test_forged_or_old_payloads_parse_nowhere(data: str) -> None:
    assert _parsers(data) == []


def _actions(cls: type[CallbackData]) -> list[str]:
    annotation = cls.model_fields["action"].annotation
    assert isinstance(annotation, type) and issubclass(annotation, StrEnum)
    return [action.value for action in annotation]


def test_actions_are_unique_across_the_pr_classes() -> None:
    actions = [action for cls in ALL_PR for action in _actions(cls)]
    assert len(actions) == len(set(actions))


def test_the_longest_buttons_fit() -> None:
    big = 2**31 - 1
    for button in (
        HelpersCb(action=HelpersAction.COUNT, activity_id=big, count=HelperCount.TEN),
        DecisionCb(action=DecisionAction.ANSWER, activity_id=big),
        ProposalCb(action=ProposalAction.NEEDS_DONE, step=len(STEPS)),
        NeedCb(action=NeedAction.TOGGLE, step=NEEDS_STEP, need=Need.MATERIAL),
    ):
        assert len(button.pack().encode()) <= 64
    for value in (*ActivityKind, UNKNOWN):  # the values of the questions' choice buttons
        ProposalCb(action=ProposalAction.PICK, step=len(STEPS), choice=value).pack()


def test_refs_and_keys_keep_their_texts() -> None:
    assert keys.proposal_ref(7) == "proposal:7"
    assert keys.new_proposal_key(7) == "proposal:7:new"
    assert keys.decision_key(7, ActivityStatus.APPROVED) == "proposal:7:approved"
    assert keys.decision_key(7, ActivityStatus.DECLINED) == "proposal:7:declined"
    assert keys.question_key(7, 30) == "proposal:7:q:30"
    assert keys.answer_key(7, 31) == "proposal:7:a:31"
    assert keys.report_asked_key(7) == "activity:7:report"
    assert keys.report_saved_key(7) == "activity:7:reported"
    with pytest.raises(ValueError, match="approves or declines"):
        keys.decision_key(7, ActivityStatus.SUBMITTED)


@pytest.mark.parametrize(
    ("ident", "number"), [("7", 7), ("", None), ("x", None), ("-1", None), ("٣", None)]
)
def test_a_reply_ident_is_parsed_not_trusted(ident: str, number: int | None) -> None:
    assert keys.proposal_id(ident) == number


def _state() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))


def test_proposal_data_takes_the_known_keys_with_defaults() -> None:
    assert proposal_data({}) == {"step": 0, "needs": []}
    assert proposal_data({"step": "two", "needs": "money", "other": 1}) == {
        "step": 0,
        "needs": [],
    }
    stored = {
        "step": 10,
        "needs": ["material", "money", 3],
        "title": "Voetbal op het plein",
        "kind": "sport",
        "when": ["14-03-2026", "2026-03-14"],
        "expected": 20,
    }
    assert proposal_data(stored) == stored | {"needs": ["material", "money"]}


async def test_stored_state_loads_with_defaults_and_round_trips() -> None:
    state = _state()
    assert await load_proposal(state) == {"step": 0, "needs": []}
    assert await load_thread(state) == ThreadData()
    assert await load_report(state) == ReportData()
    await state.set_data({"activity": 4, "participants": 25})  # saved by an older version
    assert await load_report(state) == ReportData(activity=4, participants=25, minutes=0)
    assert await load_thread(state) == ThreadData(activity=4)
    await state.set_data({"activity": "4x", "minutes": None})
    assert await load_report(state) == ReportData()
    await save_report(state, ReportData(activity=4, participants=25, minutes=360))
    assert await load_report(state) == ReportData(activity=4, participants=25, minutes=360)
    await save_thread(state, ThreadData(activity=9))
    assert await state.get_data() == {"activity": 9}
    await save_proposal(state, {"step": 2, "needs": ["help"], "title": "Dans"})
    assert await load_proposal(state) == {"step": 2, "needs": ["help"], "title": "Dans"}
