"""Course flows through the emulator: create a group, move a session, absence, attendance,
progress and the certificate ending in a PDF."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.course.rules import AttendanceStatus, SessionKind
from domain.hours.practice import LogStatus
from domain.roles import Role
from simulator.client import EmulatorClient
from storage import people
from storage.course.models import Attendance, CourseSession
from storage.hours.models import PracticeHours
from tests.conftest import BotHarness
from tests.course.conftest import make_world
from tests.e2e.helpers import eventually

UTC = dt.UTC
ADULT = dt.date(1990, 5, 1)


async def test_coordinator_creates_a_group_from_the_template(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    await cor.send("/nieuwegroep")
    assert "Hoe heet de groep" in (await cor.expect_message()).text
    await cor.send("x")
    assert "2 tot 100" in (await cor.expect_message()).text
    await cor.send("Voorjaar Noord")
    track = await cor.expect_message()
    await cor.tap(track, "Sport: Ik train mijn stad")
    assert "eerste bijeenkomst" in (await cor.expect_message()).text
    await cor.send("1-1-2020")
    assert "al voorbij" in (await cor.expect_message()).text
    await cor.send("morgen")
    assert "begrijp ik niet" in (await cor.expect_message()).text
    await cor.send("10-3-2026")
    assert "Waar zijn" in (await cor.expect_message()).text
    await cor.send("Wijkhuis De Poort")
    leader = await cor.expect_message()
    await cor.tap(leader, "Ik leid hem zelf")
    confirm = await cor.expect_message()
    assert "10 bijeenkomsten" in confirm.text and "dinsdag 10 maart 2026 om 19:00" in confirm.text
    await cor.tap(confirm, "Maken")
    assert "is gemaakt met 10 bijeenkomsten" in (await cor.expect_message()).text

    async def sessions() -> list[CourseSession]:
        async with harness.app.sessions() as session:
            return list(
                await session.scalars(select(CourseSession).order_by(CourseSession.starts_at))
            )

    rows = await eventually(sessions, lambda r: len(r) == 10)
    assert [r.kind for r in rows].count(SessionKind.MEETING) == 7
    assert rows[0].starts_at == dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    assert rows[3].starts_at == dt.datetime(2026, 3, 31, 17, 0, tzinfo=UTC)  # summer time
    assert rows[7].duration_minutes == 240


async def test_move_refuses_dst_gap_announces_and_reschedules(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await harness.start(clock=clock)
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    old = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    async with harness.app.sessions.begin() as session:
        await make_world(
            session, starts=[old], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
    await lotte.send("/planning")
    groups = await lotte.expect_message()
    await lotte.tap(groups, "Groep <Noord>")
    listing = await lotte.expect_message()
    assert "Bijeenkomst 1: dinsdag 10 maart 2026 om 19:00" in listing.text
    await lotte.tap(listing, "Bijeenkomst 1")
    detail = await lotte.expect_message()
    await lotte.tap(detail, "Verplaatsen")
    await lotte.expect_message()
    await lotte.send("29-3-2026 02:30")
    assert "klok vooruit" in (await lotte.expect_message()).text
    await lotte.send("25-10-2026 02:30")
    assert "twee keer" in (await lotte.expect_message()).text
    await lotte.send("12-3-2026 19:30")
    confirm = await lotte.expect_message()
    assert "donderdag 12 maart 2026 om 19:30" in confirm.text
    await lotte.tap(confirm, "Ja, verplaatsen")
    assert "1 deelnemers krijgen bericht" in (await lotte.expect_message()).text
    moved = await anna.expect_message()
    assert "is verplaatst" in moved.text
    assert "dinsdag 10 maart 2026 om 19:00" in moved.text
    assert "donderdag 12 maart 2026 om 19:30" in moved.text
    # the old evening-before moment passes silently; the new one reminds
    clock.set(dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC))
    await harness.app.sweeper.run_all()
    await anna.expect_no_message(within=0.4)
    clock.set(dt.datetime(2026, 3, 11, 18, 0, tzinfo=UTC))
    await harness.app.sweeper.run_all()
    assert "donderdag 12 maart 2026 om 19:30" in (await anna.expect_message()).text


async def test_absence_attendance_progress_and_certificate(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    lotte, anna, bo = (
        await emu.create_user("Lotte"),
        await emu.create_user("Anna"),
        await emu.create_user("Bo"),
    )
    first = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    kinds = [(SessionKind.MEETING, i) for i in range(1, 8)]
    kinds += [(SessionKind.FOLLOW_UP_DAY, 1), (SessionKind.FOLLOW_UP_DAY, 2)]
    kinds += [(SessionKind.PRESENTATION, 1)]
    starts = [first + dt.timedelta(days=7 * i) for i in range(10)]
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=starts, leader_tg=lotte.id, now=clock.now(), kinds=kinds,
            participants=[(anna.id, "Anna", ADULT), (bo.id, "Bo", ADULT)],
        )  # fmt: skip
    async with harness.app.sessions.begin() as session:
        for sid in world.session_ids[:9]:
            item = await session.get(CourseSession, sid)
            assert item is not None
            item.attendance_saved_at = clock.now()
            for pid in world.participant_ids:
                session.add(
                    Attendance(
                        session_id=sid,
                        person_id=pid,
                        status=AttendanceStatus.PRESENT,
                        recorded_at=clock.now(),
                    )
                )
        for pid in world.participant_ids:
            session.add(PracticeHours(
                programme_id=1, person_id=pid, work_date=dt.date(2026, 4, 1), minutes=900,
                status=LogStatus.CONFIRMED, created_at=clock.now(),
            ))  # fmt: skip
    # the evening before the presentation, Bo cannot come
    clock.set(starts[9] - dt.timedelta(hours=23))
    await harness.app.sweeper.run_all()
    reminder = await bo.expect_message()
    await anna.expect_message()
    await bo.tap(reminder, "Ik kan niet")
    assert "waarom" in (await bo.expect_message()).text
    await bo.send("Ik heb een <toets>")
    assert "weet het" in (await bo.expect_message()).text
    note = await lotte.expect_message()
    assert "Bo kan niet komen naar Eindpresentatie" in note.text
    assert "Reden: Ik heb een <toets>" in note.text

    # the presentation begins: the leader gets the checklist; Bo is pre-marked excused
    clock.set(starts[9] + dt.timedelta(minutes=5))
    await harness.app.sweeper.run_all()
    prompt = await lotte.expect_message()
    await lotte.tap(prompt, "Aanwezigheid invullen")
    checklist = await lotte.expect_message()
    assert checklist.buttons == ["✅ Anna", "🟡 Bo", "Opslaan"]
    await lotte.tap(checklist, "🟡 Bo")
    edited = await lotte.expect_edit(checklist)
    assert edited.buttons[1] == "✅ Bo"
    await lotte.tap(edited, "✅ Anna")
    edited = await lotte.expect_edit(edited)
    assert edited.buttons[0] == "❌ Anna"
    await lotte.tap(edited, "❌ Anna")
    edited = await lotte.expect_edit(edited)
    await lotte.tap(edited, "🟡 Anna")
    edited = await lotte.expect_edit(edited)
    assert edited.buttons[:2] == ["✅ Anna", "✅ Bo"]
    await lotte.tap(edited, "Opslaan")
    saved = await lotte.expect_edit(edited)
    assert "Opgeslagen" in saved.text and saved.message_id == checklist.message_id
    # both finished: bewijs van deelname, and the coordinator is asked to approve
    assert "bewijs van deelname" in (await anna.expect_message()).text
    assert "bewijs van deelname" in (await bo.expect_message()).text
    request = await cor.expect_message()
    other = await cor.expect_message()
    anna_request = request if "Anna" in request.text else other
    assert "Keur je het Citytrainer-certificaat goed?" in anna_request.text
    await anna.send("/voortgang")
    progress = await anna.expect_message()
    assert "Bijeenkomsten: 7 van 7" in progress.text
    assert "Bevestigde praktijkuren: 15 van 15" in progress.text
    await cor.tap(anna_request, "Goedkeuren")
    assert "Anna is nu Citytrainer" in (await cor.expect_message()).text
    assert "Gefeliciteerd, Anna" in (await anna.expect_message()).text
    document = await anna.expect_message()
    assert document.kind == "document" and document.document is not None
    assert (await emu.download(document)).startswith(b"%PDF")

    async def is_citytrainer() -> bool:
        async with harness.app.sessions() as session:
            member = await people.find_member(session, people.TELEGRAM, str(anna.id))
            return member is not None and Role.CITYTRAINER in member.roles

    await eventually(is_citytrainer, lambda ok: ok)
    # /rooster: nothing upcoming any more for Anna after the last session ended
    clock.set(starts[9] + dt.timedelta(hours=5))
    await anna.send("/rooster")
    assert "geen komende" in (await anna.expect_message()).text
