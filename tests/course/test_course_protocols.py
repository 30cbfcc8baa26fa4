"""The course's typed protocols: callback data packs exactly as before, idempotency keys keep their
text, conversation state loads whatever was saved (also before a deploy), enums keep the values
stored in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.features.course import keys
from bot.features.course.callbacks import (
    AttendanceAction,
    AttendanceCb,
    CertificateAction,
    CertificateCb,
    LeaderAction,
    LeaderCb,
    PlanAction,
    PlanCb,
    ReminderAction,
    ReminderCb,
)
from bot.features.course.conversations.state import (
    AbsenceData,
    GroupAnswers,
    MoveData,
    NewGroupData,
    complete,
)
from domain.course.rules import (
    AttendanceStatus,
    CourseTrack,
    ReminderAnswer,
    SessionKind,
    expected_attendance,
    next_attendance,
)
from domain.reminders import ReminderKind
from storage.course.queries import reminder_session

START = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)

# What the buttons of the previous version packed (still on people's phones).
OLD_BUTTONS: list[tuple[CallbackData, str]] = [
    (PlanCb(action=PlanAction.ICS, ident=5), "cs:ics:5:0"),
    (PlanCb(action=PlanAction.ICS), "cs:ics:0:0"),
    (PlanCb(action=PlanAction.TRACK, ident=1), "cs:track:1:0"),
    (PlanCb(action=PlanAction.LEADER, ident=7), "cs:lead:7:0"),
    (PlanCb(action=PlanAction.CREATE), "cs:make:0:0"),
    (PlanCb(action=PlanAction.RESTART), "cs:redo:0:0"),
    (PlanCb(action=PlanAction.GROUP, ident=3), "cs:grp:3:0"),
    (PlanCb(action=PlanAction.SESSION, ident=4), "cs:ses:4:0"),
    (PlanCb(action=PlanAction.MOVE, ident=4), "cs:mv:4:0"),
    (
        PlanCb(action=PlanAction.CONFIRM_MOVE, ident=4, new_start=1773340200),
        "cs:mvok:4:1773340200",
    ),
    (PlanCb(action=PlanAction.CANCEL, ident=4), "cs:cx:4:0"),
    (PlanCb(action=PlanAction.CONFIRM_CANCEL, ident=4), "cs:cxok:4:0"),
    (AttendanceCb(action=AttendanceAction.OPEN, session=5), "at:open:5:0"),
    (AttendanceCb(action=AttendanceAction.TOGGLE, session=5, person=9), "at:t:5:9"),
    (AttendanceCb(action=AttendanceAction.SAVE, session=5), "at:save:5:0"),
    (ReminderCb(action=ReminderAction.COMING, session=5), "rm:yes:5"),
    (ReminderCb(action=ReminderAction.CANNOT, session=5), "rm:no:5"),
    (ReminderCb(action=ReminderAction.SKIP_REASON, session=5), "rm:skip:5"),
    (CertificateCb(action=CertificateAction.APPROVE, certificate=3), "ce:ok:3"),
    (LeaderCb(action=LeaderAction.SHOW, cohort=3), "cl:show:3:0"),
    (LeaderCb(action=LeaderAction.PICK, cohort=3), "cl:pick:3:0"),
    (LeaderCb(action=LeaderAction.SET, cohort=3, person=9), "cl:set:3:9"),
    (LeaderCb(action=LeaderAction.REMOVE, cohort=3, person=9), "cl:rm:3:9"),
    (LeaderCb(action=LeaderAction.INVITE, cohort=3), "cl:inv:3:0"),
]


@pytest.mark.parametrize(("button", "packed"), OLD_BUTTONS)
def test_buttons_pack_as_before_and_old_data_still_parses(
    button: CallbackData, packed: str
) -> None:
    assert button.pack() == packed
    assert type(button).unpack(packed) == button


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (PlanCb, "cs:bogus:1:0"),  # an action that does not exist
        (PlanCb, "cs:grp:1"),  # a part missing
        (PlanCb, "cs:ics:1:0:0"),  # a part too many
        (PlanCb, "cs:mvok:x:0"),  # not a number
        (AttendanceCb, "at:t:5"),
        (AttendanceCb, "at:toggle:5:9"),
        (ReminderCb, "rm:maybe:5"),
        (ReminderCb, "rm:yes:5:1"),
        (CertificateCb, "ce:ok:abc"),
        (CertificateCb, "ce:approve:3"),
        (LeaderCb, "cl:set:3"),
        (LeaderCb, "cl:add:3:9"),
        (LeaderCb, "cl:rm:3:x"),
    ],
)
def test_data_that_no_longer_parses_is_refused_the_way_the_filter_expects(
    cls: type[CallbackData], data: str
) -> None:
    # aiogram's filter turns exactly these exceptions into "no match" (then the fallback answers)
    with pytest.raises((TypeError, ValueError)):
        cls.unpack(data)


def test_packed_data_fits_telegrams_64_bytes() -> None:
    big = 2**31 - 1
    far = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp())
    longest = [PlanCb(action=action, ident=big, new_start=far).pack() for action in PlanAction] + [
        AttendanceCb(action=action, session=big, person=big).pack() for action in AttendanceAction
    ]
    longest += [ReminderCb(action=action, session=big).pack() for action in ReminderAction]
    longest += [CertificateCb(action=CertificateAction.APPROVE, certificate=big).pack()]
    longest += [LeaderCb(action=action, cohort=big, person=big).pack() for action in LeaderAction]
    assert max(len(data.encode()) for data in longest) <= 64


def test_idempotency_keys_keep_their_text() -> None:
    moved = START + dt.timedelta(days=2)
    assert (
        keys.reminder_key(5, 9, ReminderKind.EVENING_BEFORE, START)
        == "reminder:5:9:evening_before:2026-03-10T18:00:00+00:00"
    )
    assert (
        keys.reminder_key(5, 9, ReminderKind.HOURS_BEFORE, START)
        == "reminder:5:9:hours_before:2026-03-10T18:00:00+00:00"
    )
    assert keys.session_change_key(5, 9, moved) == "session-change:5:9:2026-03-12T18:00:00+00:00"
    assert keys.session_change_key(5, 9, None) == "session-change:5:9:cancelled"
    assert keys.absence_key(5, 9, START, 2) == "absence:5:9:2026-03-10T18:00:00+00:00:to:2"
    assert keys.attendance_open_key(5, 2, START) == "attendance-open:5:2:2026-03-10T18:00:00+00:00"
    assert keys.attendance_missing_key(5, 2) == "attendance-missing:5:2"
    assert keys.participation_key(9) == "participation:9"
    assert keys.certificate_request_key(3) == "certificate-request:3"
    assert keys.certificate_congrats_key(3) == "certificate:3:congrats"
    assert keys.certificate_pdf_key(3) == "certificate:3:pdf"
    assert keys.leader_invite_used_key(4) == "leader-invite:4:used"
    assert (
        keys.leader_changed_key(3, 9, "added", START)
        == "cohort-leader:3:9:added:2026-03-10T18:00:00+00:00"
    )
    assert (
        keys.leader_changed_key(3, 9, "removed", START)
        == "cohort-leader:3:9:removed:2026-03-10T18:00:00+00:00"
    )


def test_reminder_keys_are_found_by_their_session() -> None:
    assert reminder_session(keys.reminder_key(5, 9, ReminderKind.HOURS_BEFORE, START)) == 5
    assert reminder_session("reminder:x:9") is None
    assert reminder_session("reminder") is None
    assert reminder_session("session-change:5:9:cancelled") is None


def test_enums_keep_the_stored_values() -> None:
    assert [k.value for k in SessionKind] == ["meeting", "follow_up_day", "presentation"]
    assert [t.value for t in CourseTrack] == ["sport", "culture"]
    assert [a.value for a in ReminderAnswer] == ["coming", "cannot"]
    assert [s.value for s in AttendanceStatus] == ["present", "absent", "excused"]


def test_the_checklist_cycle_and_its_starting_point() -> None:
    seen = [AttendanceStatus.PRESENT]
    for _ in range(3):
        seen.append(next_attendance(seen[-1]))
    assert seen == [
        AttendanceStatus.PRESENT,
        AttendanceStatus.ABSENT,
        AttendanceStatus.EXCUSED,
        AttendanceStatus.PRESENT,
    ]
    assert expected_attendance(ReminderAnswer.CANNOT) is AttendanceStatus.EXCUSED
    assert expected_attendance(ReminderAnswer.COMING) is AttendanceStatus.PRESENT
    assert expected_attendance(None) is AttendanceStatus.PRESENT


def _context() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))


async def test_conversation_state_loads_what_the_previous_version_saved() -> None:
    state = _context()
    await state.set_data(
        {"name": "Voorjaar", "track": "culture", "start": "2027-03-03", "location": "Poort"}
    )
    data = await NewGroupData.load(state)
    assert data == NewGroupData("Voorjaar", CourseTrack.CULTURE, dt.date(2027, 3, 3), "Poort", 0)
    assert complete(data) == GroupAnswers(
        "Voorjaar", CourseTrack.CULTURE, dt.date(2027, 3, 3), "Poort", 0
    )
    await NewGroupData(leader=7).save(state)
    assert await state.get_data() == {
        "name": "Voorjaar",
        "track": "culture",
        "start": "2027-03-03",
        "location": "Poort",
        "leader": 7,
    }
    await state.set_data({"session": 12})
    assert await AbsenceData.load(state) == AbsenceData(12)
    assert await MoveData.load(state) == MoveData(12)
    await MoveData(13).save(state)
    assert await state.get_data() == {"session": 13}


@pytest.mark.parametrize(
    "saved",
    [
        {},
        {"session": "x", "name": 5, "track": "dance", "start": "3-3-2027", "leader": True},
        {"session": None, "name": "", "track": None, "start": None, "leader": -4},
        {"session": [1], "track": ["sport"], "start": 20270303, "location": {"a": 1}},
    ],
)
async def test_missing_or_malformed_state_loads_as_defaults(saved: dict[str, object]) -> None:
    state = _context()
    await state.set_data(saved)
    assert await AbsenceData.load(state) == AbsenceData(0)
    assert await MoveData.load(state) == MoveData(0)
    data = await NewGroupData.load(state)
    assert data.name is None and data.track is None and data.start is None
    assert data.location is None and data.leader == 0
    assert complete(data) is None
