"""The hours feature's typed protocols: callback data, refs and keys, conversation state.

Packed callback data and key texts are compared with what the untyped code produced, so
buttons on people's phones and rows already in the outbox keep working.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.features.hours import keys
from bot.features.hours.callbacks import (
    LOG_ACTIONS,
    DayChoice,
    DecisionAction,
    DecisionCb,
    HoursAction,
    HoursCb,
)
from bot.features.hours.common import _key, signed, valid
from bot.features.hours.conversations.state import (
    CorrectionDraft,
    DecisionDraft,
    LogDraft,
    OrganisationDraft,
    PlacementDraft,
)
from bot.kit.config import Settings
from domain.hours.places import OrganisationKind, PlacementTrack, pick
from domain.hours.practice import LogStatus, ReminderStep

NOW = dt.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=dt.UTC)
OLD_HOURS_ACTIONS = [
    "l-new", "l-p", "l-d", "l-ok", "l-re", "o-new", "o-k", "o-inv", "o-pl",
    "p-t", "p-s", "p-k", "p-ok", "d-more",
]  # fmt: skip


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


# -- callback data ------------------------------------------------------------------------------


def test_enum_values_are_the_old_strings() -> None:
    assert [a.value for a in HoursAction] == OLD_HOURS_ACTIONS
    assert [a.value for a in DecisionAction] == ["c", "a", "r", "all"]
    assert {a.value for a in LOG_ACTIONS} == {a for a in OLD_HOURS_ACTIONS if a.startswith("l-")}
    assert [int(c) for c in DayChoice] == [0, 1, 99]
    assert [k.value for k in OrganisationKind] == ["sport", "culture", "welfare"]
    assert [t.value for t in PlacementTrack] == ["sport", "culture"]


def test_hours_buttons_pack_as_before() -> None:
    assert HoursCb(action=HoursAction.LOG_START).pack() == "hr:l-new:0"
    assert HoursCb(action=HoursAction.LOG_DAY, value=DayChoice.OTHER).pack() == "hr:l-d:99"
    assert HoursCb(action=HoursAction.ORGANISATION_INVITE, value=12).pack() == "hr:o-inv:12"
    parsed = HoursCb.unpack("hr:p-k:1")
    assert parsed.action is HoursAction.PLACE_TRACK and parsed.value == 1
    assert pick(tuple(PlacementTrack), parsed.value) is PlacementTrack.CULTURE
    assert pick(tuple(OrganisationKind), 7) is OrganisationKind.CULTURE  # wraps, never raises


def test_decision_buttons_are_signed_as_before(settings: Settings) -> None:
    for action in DecisionAction:
        old_mac = hmac.new(_key(settings), f"{action.value}:12".encode(), hashlib.sha256)
        old_sig = base64.urlsafe_b64encode(old_mac.digest()[:9]).decode()
        packed = signed(settings, action, 12)
        assert packed == f"hv:{action.value}:12:{old_sig}"
        assert valid(settings, DecisionCb.unpack(packed))
    largest = signed(settings, DecisionAction.CONFIRM_ALL, 2**63 - 1)
    assert len(largest.encode()) <= 64


def test_forged_signatures_are_not_valid(settings: Settings) -> None:
    real = DecisionCb.unpack(signed(settings, DecisionAction.CONFIRM, 12))
    for forged in ("A" * 12, "ééé", "", real.signature[:-1]):
        assert not valid(settings, real.model_copy(update={"signature": forged}))
    other = real.model_copy(update={"log_id": 13})
    assert not valid(settings, other)


@pytest.mark.parametrize(
    ("cb", "data"),
    [
        (HoursCb, "hr:l-zz:0"),
        (HoursCb, "hr:l-new:0:1"),
        (HoursCb, "hr:l-d:yesterday"),
        (HoursCb, "hr"),
        (DecisionCb, "hv:ok:12:AAAAAAAAAAAA"),
        (DecisionCb, "hv:c:12"),
        (DecisionCb, "hv:c:twelve:AAAAAAAAAAAA"),
    ],
)
def test_unparsable_data_raises_what_the_filter_swallows(cb: type[CallbackData], data: str) -> None:
    # aiogram's CallbackDataFilter treats TypeError and ValueError as "no match"
    with pytest.raises((TypeError, ValueError)):
        cb.unpack(data)


# -- refs and keys ------------------------------------------------------------------------------


def test_keys_and_refs_are_the_old_texts() -> None:
    assert keys.log_ref(12) == "hours:12"
    assert keys.to_supervisor(12, ReminderStep.NONE, 34) == "hours:12:new:to:34"
    assert keys.to_supervisor(12, ReminderStep.FIRST_REMINDER, 34) == "hours:12:remind1:to:34"
    assert keys.to_coordinators(12, ReminderStep.SECOND_REMINDER) == "hours:12:remind2:co"
    assert keys.escalated(12) == "hours:12:escalated"
    assert (
        keys.outcome(12, LogStatus.CORRECTED, 75, NOW)
        == f"hours:12:outcome:corrected:75:{NOW.isoformat()}"
    )
    assert keys.complete(5) == "hours:complete:5"
    assert keys.invite_used(3) == "hours:invite:3:used"
    assert keys.placement(4, "supervisor") == "hours:placement:4:supervisor"
    assert keys.placement(4, "trainee") == "hours:placement:4:trainee"


@pytest.mark.parametrize(("ident", "expected"), [("12", 12), ("x", None), ("", None), ("-1", None)])
def test_a_reply_ident_is_parsed_not_cast(ident: str, expected: int | None) -> None:
    assert keys.log_id_of(ident) == expected


# -- conversation state -------------------------------------------------------------------------


def _state() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))


async def test_state_of_an_older_version_or_nothing_loads() -> None:
    state = _state()
    assert await LogDraft.load(state) == LogDraft()
    assert await PlacementDraft.load(state) == PlacementDraft()
    await state.set_data(
        {
            "placement": "7",
            "day": "not a day",
            "minutes": True,
            "what": 3,
            "supervisors": [1, "2", None, "x"],
            "track": "chess",
            "kind": "welfare",
            "log": None,
        }
    )
    assert await LogDraft.load(state) == LogDraft(placement=7)
    placement = await PlacementDraft.load(state)
    assert placement.supervisors == (1, 2) and placement.track is None
    assert (await OrganisationDraft.load(state)).kind is OrganisationKind.WELFARE
    assert await DecisionDraft.load(state) == DecisionDraft()


async def test_state_is_saved_under_the_old_keys() -> None:
    state = _state()
    await LogDraft(placement=3, day=dt.date(2026, 3, 1), minutes=90, what="x").save(state)
    await CorrectionDraft(log=5, minutes=60).save(state)
    assert await state.get_data() == {
        "placement": 3,
        "day": "2026-03-01",
        "minutes": 60,  # both flows call it "minutes": one flow at a time
        "what": "x",
        "log": 5,
    }
    state = _state()
    draft = PlacementDraft(
        org=1, supervisors=(2, 3), trainee=4, supervisor=2, track=PlacementTrack.CULTURE
    )
    await draft.save(state)
    assert await state.get_data() == {
        "org": 1,
        "supervisors": [2, 3],
        "trainee": 4,
        "supervisor": 2,
        "track": "culture",
        "motivation": None,
    }
    assert await PlacementDraft.load(state) == draft
    await OrganisationDraft(name="Club", kind=OrganisationKind.SPORT).save(state)
    assert (await state.get_data())["kind"] == "sport"
