"""The signup's typed protocols keep the old wire format: buttons, outbox keys, refs, FSM data.

Buttons already on people's phones, outbox rows already written and conversations saved before a
deploy must keep working, so every packed button, key and ref is compared with the text the
hand-built version made.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH, CallbackData

from bot.app.i18n import build_i18n
from bot.features.signup import keys
from bot.features.signup.callbacks import (
    ConsentAction,
    ConsentCb,
    DecisionAction,
    DeleteChoice,
    DeleteDataCb,
    FlowAction,
    InviteAction,
    InviteCb,
    OfferAnswer,
    OfferCb,
    ParentChoice,
    ParentConsentAction,
    ParentConsentCb,
    SignupDecision,
    SignupFlowCb,
)
from bot.features.signup.conversations import steps
from bot.features.signup.conversations.state import (
    CoordinatorData,
    ParentConsentData,
    SignupData,
)
from bot.features.signup.labels import CHOICES, SKIP, Step
from domain.signup.settings import SignupSettings
from domain.signup.status import ConsentKind, ConsentMethod, EnrolmentStatus, SignupStatus

CLASSES: tuple[type[CallbackData], ...] = (
    SignupFlowCb,
    OfferCb,
    DeleteDataCb,
    ParentConsentCb,
    ConsentCb,
    SignupDecision,
    InviteCb,
)

OLD_AND_NEW: list[tuple[str, CallbackData]] = [
    ("su:go::", SignupFlowCb(action=FlowAction.START)),
    ("su:a:track:sport", SignupFlowCb(action=FlowAction.ANSWER, step=Step.TRACK, value="sport")),
    (
        "su:a:last_name:skip",
        SignupFlowCb(action=FlowAction.ANSWER, step=Step.LAST_NAME, value=SKIP),
    ),
    ("su:back:gender:", SignupFlowCb(action=FlowAction.BACK, step=Step.GENDER)),
    ("su:ok::", SignupFlowCb(action=FlowAction.SEND)),
    ("su:edit::", SignupFlowCb(action=FlowAction.EDIT)),
    ("su:e:postcode:", SignupFlowCb(action=FlowAction.EDIT_STEP, step=Step.POSTCODE)),
    ("su:oa:12:", OfferCb(action=OfferAnswer.ACCEPT, enrolment=12)),
    ("su:od:12:", OfferCb(action=OfferAnswer.DECLINE, enrolment=12)),
    ("su:del::", DeleteDataCb(action=DeleteChoice.DELETE)),
    ("su:keep::", DeleteDataCb(action=DeleteChoice.KEEP)),
    (
        "su:pc:7:yes",
        ParentConsentCb(action=ParentConsentAction.DECIDE, token=7, choice=ParentChoice.YES),
    ),
    (
        "su:pc:7:no",
        ParentConsentCb(action=ParentConsentAction.DECIDE, token=7, choice=ParentChoice.NO),
    ),
    ("su:newlink:3:", ConsentCb(action=ConsentAction.NEW_LINK, signup=3)),
    ("su:withdraw:3:", ConsentCb(action=ConsentAction.WITHDRAW, signup=3)),
    ("sd:place:3:0", SignupDecision(action=DecisionAction.PLACE, signup=3)),
    ("sd:wait:3:0", SignupDecision(action=DecisionAction.WAIT, signup=3)),
    ("sd:pg:3:5", SignupDecision(action=DecisionAction.PLACE_IN, signup=3, cohort=5)),
    ("sd:wg:3:5", SignupDecision(action=DecisionAction.WAIT_IN, signup=3, cohort=5)),
    ("sd:ask:3:0", SignupDecision(action=DecisionAction.ASK, signup=3)),
    ("sd:decline:3:0", SignupDecision(action=DecisionAction.DECLINE, signup=3)),
    ("sd:paper:3:0", SignupDecision(action=DecisionAction.PAPER, signup=3)),
    ("sd:show:3:0", SignupDecision(action=DecisionAction.SHOW, signup=3)),
    ("sd:verify:3:0", SignupDecision(action=DecisionAction.VERIFY, signup=3)),
    ("sd:inv:0:5", InviteCb(action=InviteAction.CHOOSE_USES, cohort=5)),
    ("sd:invu:15:5", InviteCb(action=InviteAction.MAKE_LINK, max_uses=15, cohort=5)),
    ("sd:invu:0:5", InviteCb(action=InviteAction.MAKE_LINK, max_uses=0, cohort=5)),
]


def _parses_as(data: str) -> list[CallbackData]:
    parsed = []
    for cls in CLASSES:
        try:
            parsed.append(cls.unpack(data))
        except (TypeError, ValueError):  # what aiogram's filter catches: no match
            continue
    return parsed


@pytest.mark.parametrize(("old", "new"), OLD_AND_NEW, ids=[old for old, _ in OLD_AND_NEW])
def test_buttons_pack_as_before_and_old_payloads_parse_as_one_class(
    old: str, new: CallbackData
) -> None:
    assert new.pack() == old
    assert _parses_as(old) == [new]


def test_every_action_of_every_class_is_covered_above() -> None:
    packed = {old.split(":")[1] for old, _ in OLD_AND_NEW}
    actions = {
        str(a)
        for enum in (
            FlowAction,
            OfferAnswer,
            DeleteChoice,
            ParentConsentAction,
            ConsentAction,
            DecisionAction,
            InviteAction,
        )
        for a in enum
    }
    assert packed == actions


def test_the_longest_buttons_fit_in_64_bytes() -> None:
    big = 2**63 - 1
    for step in Step:
        for value in [v for v, _label in CHOICES.get(step, ())] + [SKIP, ""]:
            for action in FlowAction:
                data = SignupFlowCb(action=action, step=step, value=value).pack()
                assert len(data.encode()) <= MAX_CALLBACK_LENGTH
    for made in (
        OfferCb(action=OfferAnswer.DECLINE, enrolment=big),
        DeleteDataCb(action=DeleteChoice.DELETE),
        ParentConsentCb(action=ParentConsentAction.DECIDE, token=big, choice=ParentChoice.YES),
        ConsentCb(action=ConsentAction.WITHDRAW, signup=big),
        SignupDecision(action=DecisionAction.DECLINE, signup=big, cohort=big),
        InviteCb(action=InviteAction.MAKE_LINK, max_uses=big, cohort=big),
    ):
        assert len(made.pack().encode()) <= MAX_CALLBACK_LENGTH


@pytest.mark.parametrize(
    "data",
    [
        "su:zz::",  # an action that does not exist
        "su:a:nickname:x",  # a step that does not exist
        "su:oa:abc:",  # not an enrolment id
        "su:oa::",  # no enrolment id
        "su:oa:12",  # a part missing
        "su:del:::",  # a part too many
        "su:pc:7:maybe",  # not a parent's choice
        "su:pc:seven:yes",
        "su:withdraw:x:",
        "sd:place:3",  # a part missing
        "sd:pg:3:five",
        "sd:invu:many:5",
        "sd:nothing:3:0",
        "su",
        "xx:a:track:sport",
    ],
)
def test_payloads_that_no_longer_parse_match_no_class(data: str) -> None:
    assert _parses_as(data) == []


def test_outbox_keys_and_refs_keep_their_text() -> None:
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert keys.new_signup(12) == "signup:12:new"
    assert keys.placed(12) == "signup:12:placed"
    assert keys.waiting(12, 5) == "signup:12:waiting:5"
    assert keys.question(12, 99) == "signup:12:ask:99"
    assert keys.reply(12, 99) == "signup:12:reply:99"
    assert keys.declined(12) == "signup:12:declined"
    assert keys.withdrawn(12) == "signup:12:withdrawn"
    assert keys.withdrawn_to_participant(12) == "signup:12:withdrawn:participant"
    assert keys.consented(12) == "signup:12:consented"
    assert keys.refused(12) == "signup:12:refused"
    assert keys.consent_expired(12) == "signup:12:consent-expired"
    assert keys.consent_reminder(12, 4) == "signup:12:consent-reminder:4"
    assert keys.offer(7, at) == f"enrolment:7:offer:{at}"
    assert keys.offer(7, at) == "enrolment:7:offer:2026-03-02 10:00:00+00:00"
    assert keys.offer(7, None) == "enrolment:7:offer:None"
    assert keys.offer_lapsed(7, at) == f"enrolment:7:lapsed:{at}"
    assert keys.offer_lapsed_to_coordinators(7, at) == f"enrolment:7:lapsed:{at}:coordinators"
    assert keys.offer_declined(7, at) == f"enrolment:7:declined:{at}"
    assert keys.offer_accepted(7) == "enrolment:7:accepted"
    assert keys.signup_ref(12) == "signup:12"


@pytest.mark.parametrize(
    ("ident", "expected"), [("12", 12), ("0012", 12), ("", None), ("x", None), ("²", None)]
)
def test_a_reply_ident_is_parsed_without_raising(ident: str, expected: int | None) -> None:
    assert keys.signup_id_of(ident) == expected


def test_conversation_data_saved_before_a_deploy_loads_with_defaults() -> None:
    assert SignupData.from_mapping({}) == SignupData()
    old = {
        "answers": {"first_name": "Eva", "last_name": "", "birth_date": "2011-03-14"},
        "step": "dutch",
        "needs_consent": True,
        "age": 14,
        "cohort_id": 3,
        "programme_id": 1,
    }
    data = SignupData.from_mapping(old)
    assert data.step is Step.DUTCH and data.needs_consent and data.age == 14
    assert data.answers == old["answers"] and data.cohort_id == 3 and data.programme_id == 1
    assert data.to_mapping() == old
    assert data.next_step() is Step.DUTCH
    assert data.previous_step(Step.DUTCH) is Step.BIRTH_DATE
    assert Step.PARENT_NAME in data.active_steps()
    broken = {
        "answers": ["not", "a", "mapping"],
        "step": "nickname",
        "needs_consent": None,
        "age": "14",
        "cohort_id": True,
        "programme_id": "1",
    }
    assert SignupData.from_mapping(broken) == SignupData()
    mixed = SignupData.from_mapping({"answers": {"first_name": "Eva", "nickname": "E", "age": 3}})
    assert mixed.answers == {"first_name": "Eva"}
    assert CoordinatorData.from_mapping({}) == CoordinatorData(signup_id=None)
    assert CoordinatorData.from_mapping({"signup_id": "x"}).signup_id is None
    assert CoordinatorData.from_mapping({"signup_id": 4}).signup_id == 4
    assert ParentConsentData.from_mapping({"consent_token_id": 9}).consent_token_id == 9
    assert ParentConsentData.from_mapping({"other": 1}).consent_token_id is None


def test_a_forged_button_value_is_asked_again_not_stored() -> None:
    """Before the callbacks were typed, any value of an `su:a:<step>:<value>` button was stored
    as the answer (e.g. a track "evil", or "maybe" for Dutch, which then counted as yes)."""
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    today = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    rules = SignupSettings()
    i18n = build_i18n()
    with i18n.context(), i18n.use_locale("nl"):
        for step, raw in ((Step.TRACK, "evil"), (Step.DUTCH, "maybe"), (Step.PRIVACY, "sure")):
            again = steps.check_answer(step, raw, today, rules, now)
            assert isinstance(again, steps.Retry) and "Kies een van de knoppen" in again.text
        assert steps.check_answer(Step.TRACK, "sport", today, rules, now) == steps.Store("sport")
        assert isinstance(steps.check_answer(Step.DUTCH, "no", today, rules, now), steps.Stop)
        assert steps.check_answer(Step.LAST_NAME, SKIP, today, rules, now) == steps.Store("")


def test_status_enums_keep_the_stored_texts() -> None:
    assert [s.value for s in SignupStatus] == [
        "awaiting_consent",
        "submitted",
        "placed",
        "waiting",
        "declined",
        "withdrawn",
    ]
    assert {s.value for s in EnrolmentStatus} == {
        "placed",
        "waiting",
        "offered",
        "declined",
        "withdrawn",
    }
    assert {k.value for k in ConsentKind} == {"privacy", "parental"}
    assert {m.value for m in ConsentMethod} == {"telegram", "web", "paper"}
    assert max(len(s) for s in SignupStatus) <= 24
    assert max(len(s) for e in (EnrolmentStatus, ConsentKind, ConsentMethod) for s in e) <= 16
