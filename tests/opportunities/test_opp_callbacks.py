"""The opportunities feature's typed protocols: callback data that packs exactly as the old `Op`
class did, data that no longer parses (answered by the fallback router, through the emulator),
refs and idempotency keys with their old texts, and the flows' typed state."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import get_args

import pytest
from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, User
from aiogram.utils.i18n import I18n

from bot.features.opportunities import keys
from bot.features.opportunities.callbacks import (
    AttendanceAnswer,
    AttendanceCallback,
    HoursAction,
    HoursCallback,
    ListAction,
    OfferAction,
    OfferCallback,
    OpenCallback,
    PageCallback,
    PostAction,
    PostCallback,
    PostChoice,
)
from bot.features.opportunities.conversations.post import STEPS, IncompleteDraft, build
from bot.features.opportunities.conversations.state import (
    NONE,
    AnswerName,
    HoursData,
    PostData,
)
from domain.opportunities.matching import Track
from domain.opportunities.status import JoinOutcome, OpportunityStatus
from domain.roles import Role
from simulator.client import EmulatorClient
from storage.opportunities import queries as opportunities
from storage.refs import key, ref
from tests.conftest import BotHarness
from tests.opportunities.conftest import Seed


class OldOp(CallbackData, prefix="op"):
    """The callback data before the typed classes (buttons like these are on people's phones)."""

    a: str
    i: int = 0
    v: str = ""


NEW_AND_OLD: list[tuple[CallbackData, OldOp]] = [
    (OfferCallback(action=OfferAction.JOIN, opportunity_id=12), OldOp(a="join", i=12)),
    (OfferCallback(action=OfferAction.INFO, opportunity_id=12), OldOp(a="info", i=12)),
    (OfferCallback(action=OfferAction.NOT_FOR_ME, opportunity_id=12), OldOp(a="no", i=12)),
    (OfferCallback(action=OfferAction.CANCEL, opportunity_id=12), OldOp(a="cancel", i=12)),
    (
        OpenCallback(action=ListAction.OPEN, opportunity_id=12, back_index=5),
        OldOp(a="open", i=12, v="5"),
    ),
    (
        OpenCallback(action=ListAction.OPEN, opportunity_id=12, back_index=0),
        OldOp(a="open", i=12, v="0"),
    ),
    (PageCallback(action=ListAction.PAGE, index=5), OldOp(a="page", i=5)),
    (
        PostCallback(action=PostAction.PICK, step=7, choice=PostChoice.SPORT),
        OldOp(a="pick", i=7, v="sport"),
    ),
    (
        PostCallback(action=PostAction.PICK, step=3, choice=PostChoice.NONE),
        OldOp(a="pick", i=3, v=NONE),
    ),
    (
        PostCallback(action=PostAction.PICK, step=8, choice=PostChoice.YES),
        OldOp(a="pick", i=8, v="yes"),
    ),
    (PostCallback(action=PostAction.PUBLISH), OldOp(a="publish")),
    (PostCallback(action=PostAction.STOP), OldOp(a="stop")),
    (AttendanceCallback(answer=AttendanceAnswer.YES, signup_id=34), OldOp(a="ay", i=34)),
    (AttendanceCallback(answer=AttendanceAnswer.NO, signup_id=34), OldOp(a="an", i=34)),
    (HoursCallback(action=HoursAction.SKIP_WHAT), OldOp(a="hs")),
    (HoursCallback(action=HoursAction.SAVE), OldOp(a="hk")),
    (HoursCallback(action=HoursAction.START_AGAIN), OldOp(a="hr")),
]


@pytest.mark.parametrize(("new", "old"), NEW_AND_OLD, ids=lambda x: x.pack())
def test_packed_data_is_the_old_data(new: CallbackData, old: OldOp) -> None:
    assert new.pack() == old.pack()
    assert type(new).unpack(old.pack()) == new  # an old button still parses


def test_every_action_and_choice_is_covered(tmp_path: Path) -> None:
    packed = {new.pack().split(":")[1] for new, _old in NEW_AND_OLD}
    actions = [*OfferAction, *ListAction, *PostAction, *AttendanceAnswer, *HoursAction]
    assert packed == {a.value for a in actions}
    with I18n(path=tmp_path, default_locale="en").context():  # no catalogs: the msgids
        choices = {value for step in STEPS for _label, value in step.choices()}
    assert choices == set(PostChoice)


def test_the_longest_data_fits_in_64_bytes() -> None:
    big = 2**63 - 1
    longest = [
        OfferCallback(action=OfferAction.CANCEL, opportunity_id=big),
        OpenCallback(action=ListAction.OPEN, opportunity_id=big, back_index=big),
        PostCallback(action=PostAction.PUBLISH, step=big, choice=PostChoice.CULTURE),
        AttendanceCallback(answer=AttendanceAnswer.YES, signup_id=big),
    ]
    assert all(len(c.pack().encode()) <= 64 for c in longest)


BAD = [
    "op:join:abc:",  # not a number
    "op:bogus:1:",  # an action nobody knows
    "op:join:1",  # too few parts
    "op:join:1::",  # too many parts
    "op:pick:3:maybe",  # not one of the choices
    "op:ay::x:y",
    "op:",
    "op",
    "xx:join:1:",
]


def _query(data: str) -> CallbackQuery:
    user = User(id=1, is_bot=False, first_name="X")
    return CallbackQuery(id="1", from_user=user, chat_instance="x", data=data)


@pytest.mark.parametrize("data", BAD)
async def test_data_that_does_not_parse_matches_no_filter(data: str) -> None:
    classes = [
        OfferCallback,
        OpenCallback,
        PageCallback,
        PostCallback,
        AttendanceCallback,
        HoursCallback,
    ]
    for cls in classes:
        assert await cls.filter()(_query(data)) is False, (cls.__name__, data)


async def test_each_handler_sees_only_its_own_actions() -> None:
    page = PageCallback.filter(F.action == ListAction.PAGE)
    open_one = OpenCallback.filter(F.action == ListAction.OPEN)
    assert await page(_query("op:open:12:5")) is False
    assert await open_one(_query("op:page:5:")) is False
    found = await open_one(_query("op:open:12:5"))
    assert found and found["callback_data"].back_index == 5
    offer = OfferCallback.filter(F.action == OfferAction.JOIN)
    assert await offer(_query("op:hk:0:")) is False  # another class's action


async def test_a_forged_or_old_button_gets_the_friendly_answer(
    harness: BotHarness, emu: EmulatorClient, seed: Seed
) -> None:
    """Through the emulator: the bot shows buttons with data no handler parses; tapping them
    gives "This button no longer works" (the fallback router), and the bot keeps working."""
    await harness.start()
    user = await emu.create_user("Ann")
    await seed([user], Role.CITYTRAINER)
    forged = ["op:join:abc:", "op:bogus:1:", "op:join:1", "op:ay:1:x:y", "op:pick:0:maybe"]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d)] for d in forged]
    )
    await harness.app.bot.send_message(user.id, "Oude knoppen", reply_markup=markup)
    message = await user.expect_message()
    for data in forged:
        answer = await user.tap(message, callback_data=data)
        assert answer is not None and answer.show_alert, data
        assert "werkt niet meer" in (answer.text or ""), (data, answer.text)
    await user.send("/kansen")
    assert "kansen" in (await user.expect_message()).text.lower()
    # a button with the old data of a real one still works: the first page of /kansen
    page = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Lijst", callback_data="op:page:0:")]]
    )
    await harness.app.bot.send_message(user.id, "Oude lijst", reply_markup=page)
    listing = await user.expect_message()
    answer = await user.tap(listing, "Lijst")
    assert answer is not None and "werkt niet meer" not in (answer.text or "")
    assert "kansen" in (await user.expect_edit(listing)).text.lower()


# --- refs and keys ----------------------------------------------------------------------------


def test_keys_and_refs_keep_their_old_texts() -> None:
    now = dt.datetime(2026, 3, 4, 14, 0, 30, 500_000, tzinfo=dt.UTC)
    seconds = int(now.timestamp())
    joined = keys.joined_key(12, 34, now)
    assert joined == f"op:12:joined:34:{seconds}"
    assert keys.to_me(joined, JoinOutcome.PLACED) == f"op:12:joined:34:{seconds}:placed:me"
    assert keys.to_me(joined, JoinOutcome.WAITING).endswith(":waiting:me")
    assert keys.to_supervisor(joined, "777") == f"op:12:joined:34:{seconds}:sv:777"
    assert keys.to_coordinator(joined) == f"op:12:joined:34:{seconds}:co"
    cancelled = keys.cancelled_key(12, 34, now)
    assert cancelled == f"op:12:cancel:34:{seconds}"
    assert keys.moved_up(cancelled) == f"op:12:cancel:34:{seconds}:up"
    assert keys.broadcast_final_key(5) == "opbc:5:final"
    assert keys.broadcast_edit_key(5, "3/1/0/0") == "opbc:5:edit:3/1/0/0"
    assert keys.broadcast_edit_key(5, "done") == "opbc:5:edit:done"
    assert keys.attendance_key(9) == "opsignup:9:attended"
    assert keys.opportunity_ref(12) == "op:12"


def test_storage_builds_the_same_ref_and_key_as_the_kit() -> None:
    assert opportunities.opportunity_ref(12) == ref("op", 12) == keys.opportunity_ref(12)
    assert opportunities.recipient_key(12, 34) == key("op", 12, "to", 34) == "op:12:to:34"


# --- typed state --------------------------------------------------------------------------------

OLD_POST_DATA = {  # the FSM data of /kans as saved before the typed state, at the preview
    "step": 12,
    "title": "Sportdag Noord",
    "organisation": "Sportclub Noord",
    "description": "Je helpt kinderen bij de spellen op het veld.",
    "starts_at": "2099-12-12T18:00:00+00:00",
    "place": "Sportpark Noord",
    "minutes": 180,
    "places": 10,
    "track": "both",
    "for_trainees": "no",
    "min_age": "-",
    "neighbourhoods": "Noord, West",
    "deadline": "-",
}


def test_the_steps_are_the_answer_names() -> None:
    names = [step.name for step in STEPS]
    assert names == list(get_args(AnswerName))
    assert set(names) <= {f.name for f in fields(PostData)}


def test_post_data_loads_old_state_and_builds_the_same_opportunity() -> None:
    data = PostData.from_data(OLD_POST_DATA)
    assert data.to_data() == OLD_POST_DATA
    assert data.missing() == []
    now = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    opp = build(data, 1, 2, now)
    assert opp.title == "Sportdag Noord" and opp.minutes == 180 and opp.places == 10
    assert opp.starts_at == dt.datetime(2099, 12, 12, 18, 0, tzinfo=dt.UTC)
    assert opp.deadline is None and opp.min_age is None and opp.for_trainees is False
    assert opp.track is Track.BOTH and opp.status is OpportunityStatus.OPEN
    assert opp.neighbourhoods == "Noord, West"
    aged = build(PostData.from_data({**OLD_POST_DATA, "min_age": 16}), 1, None, now)
    assert aged.min_age == 16


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"step": "x", "title": 3, "minutes": "lots", "places": True, "min_age": [1]},
        {"step": None, "deadline": None, "what": object()},
    ],
)
def test_post_data_tolerates_missing_and_odd_keys(raw: dict[str, object]) -> None:
    data = PostData.from_data(raw)
    assert data.step == 0 and data.title is None and data.minutes is None
    assert data.places is None and data.min_age is None
    assert set(data.missing()) == set(get_args(AnswerName))
    with pytest.raises(IncompleteDraft):
        build(data, 1, None, dt.datetime(2026, 3, 4, tzinfo=dt.UTC))


def test_post_data_answers_one_question_at_a_time() -> None:
    data = PostData().answered("title", "Sportdag").answered("organisation", "Club")
    assert data.step == 2 and data.title == "Sportdag" and data.organisation == "Club"
    assert data.to_data() == {"step": 2, "title": "Sportdag", "organisation": "Club"}


def test_hours_data_round_trips_and_tolerates_old_or_odd_state() -> None:
    old = {"signup": 7, "day": "2026-03-04", "minutes": 150, "what": None}
    data = HoursData.from_data(old)
    assert data == HoursData(signup_id=7, day=dt.date(2026, 3, 4), minutes=150)
    assert data.to_data() == old
    assert HoursData.from_data({"signup": 7, "day": "2026-03-04"}).minutes is None
    assert HoursData.from_data({}) == HoursData()
    odd = HoursData.from_data({"signup": "x", "day": "4 maart", "minutes": "2,5", "what": 3})
    assert odd == HoursData()
