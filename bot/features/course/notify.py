"""Course messages to others (always through the outbox): reminders, moves and cancellations,
the attendance checklist, "bewijs van deelname", certificate requests and the certificate."""

from __future__ import annotations

import base64
import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import (
    AttendanceAction,
    AttendanceCb,
    CertificateAction,
    CertificateCb,
    ReminderAction,
    ReminderCb,
)
from bot.features.course.common import age_of, person_name, programme_setup, session_title, when
from bot.features.course.docs import render_certificate
from bot.features.course.keys import (
    certificate_congrats_key,
    certificate_pdf_key,
    certificate_request_key,
    participation_key,
    session_change_key,
)
from bot.kit import notify
from bot.kit.keyboards import inline_choices
from domain.course.rules import AttendanceStatus, course_progress, expected_attendance
from domain.local_time import to_local
from domain.reminders import ReminderKind, deliver_at, in_quiet_hours
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort, CourseCertificate, CourseSession
from storage.models import ChannelIdentity, Person, Programme
from storage.outbox import Priority

MARK = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.EXCUSED: "🟡",
}


def reminder_text(
    course_session: CourseSession, cohort: Cohort, kind: ReminderKind, tz: ZoneInfo
) -> str:
    if kind == ReminderKind.EVENING_BEFORE:
        head = _("Reminder: tomorrow is {title} of {group}.")
    else:
        head = _("Reminder: soon it is {title} of {group}.")
    lines = [
        head.format(title=session_title(course_session), group=html.quote(cohort.name)),
        "",
        _("Date and time: {when}").format(when=when(course_session.starts_at, tz)),
        _("Where: {place}").format(
            place=html.quote(course_session.location or cohort.location or _("ask your leader"))
        ),
        _("Bring: {what}").format(
            what=html.quote(course_session.bring or _("something to write with and a drink"))
        ),
        "",
        _("Are you coming?"),
    ]
    return "\n".join(lines)


def reminder_buttons(session_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("I am coming"), ReminderCb(action=ReminderAction.COMING, session=session_id).pack()),
            (
                _("I cannot come"),
                ReminderCb(action=ReminderAction.CANNOT, session=session_id).pack(),
            ),
        ],
        columns=2,
    )


async def announce_change(
    db: AsyncSession,
    course_session: CourseSession,
    old_start: dt.datetime,
    now: dt.datetime,
    *,
    cancelled: bool,
) -> int:
    """Tell every placed participant and the leaders about a moved or cancelled session."""
    cohort = await db.get(Cohort, course_session.cohort_id)
    assert cohort is not None
    tz, settings = await programme_setup(db, cohort.programme_id)
    title = session_title(course_session)
    if cancelled:
        text = _(
            "{title} of {group} on {old} is cancelled. You do not need to come. "
            "Type /rooster to see your sessions."
        ).format(title=title, group=html.quote(cohort.name), old=when(old_start, tz))
    else:
        text = _(
            "{title} of {group} has moved.\nWas: {old}\nNow: {new}\n"
            "Type /rooster to see your sessions."
        ).format(
            title=title,
            group=html.quote(cohort.name),
            old=when(old_start, tz),
            new=when(course_session.starts_at, tz),
        )
    local_now = to_local(now, tz).time()
    night = in_quiet_hours(local_now, settings.reminders)
    new_start = None if cancelled else course_session.starts_at
    reached = 0
    for person in await course.participants(db, cohort.id):
        not_before = None
        if not cancelled:
            not_before = deliver_at(now, age_of(person, now, tz), None, tz, settings.reminders)
        ok = await notify.to_person(
            db,
            person.id,
            notify.message_payload(text, silent=night),
            key=session_change_key(course_session.id, person.id, new_start),
            now=now,
            not_before=not_before,
        )
        reached += int(ok)
    return reached


def checklist_text(
    course_session: CourseSession,
    cohort: Cohort,
    people: list[Person],
    statuses: dict[int, AttendanceStatus],
    tz: ZoneInfo,
) -> str:
    counts = {status: list(statuses.values()).count(status) for status in MARK}
    return _(
        "Attendance {title} of {group}\n{when}\n\n"
        "Tap a name to change it: ✅ present, ❌ absent, 🟡 excused. Then tap Save.\n\n"
        "✅ {present}  ❌ {absent}  🟡 {excused}"
    ).format(
        title=session_title(course_session),
        group=html.quote(cohort.name),
        when=when(course_session.starts_at, tz),
        present=counts[AttendanceStatus.PRESENT],
        absent=counts[AttendanceStatus.ABSENT],
        excused=counts[AttendanceStatus.EXCUSED],
    ) + ("" if people else "\n\n" + _("No participants are placed in this group yet."))


def checklist_buttons(
    course_session: CourseSession, people: list[Person], statuses: dict[int, AttendanceStatus]
) -> InlineKeyboardMarkup:
    choices = [
        (
            f"{MARK[statuses[p.id]]} {person_name(p)}",
            AttendanceCb(
                action=AttendanceAction.TOGGLE, session=course_session.id, person=p.id
            ).pack(),
        )
        for p in people
    ]
    choices.append(
        (
            _("Save the list"),
            AttendanceCb(action=AttendanceAction.SAVE, session=course_session.id).pack(),
        )
    )
    return inline_choices(choices, columns=1)


async def effective_statuses(
    db: AsyncSession, course_session: CourseSession, people: list[Person]
) -> dict[int, AttendanceStatus]:
    """Saved statuses; otherwise excused after "ik kan niet", present by default."""
    saved = await course.attendance_for(db, course_session.id)
    answers = await course.answers_for(db, course_session.id)
    statuses = {}
    for p in people:
        if p.id in saved:
            statuses[p.id] = saved[p.id]
        else:
            answer = answers.get(p.id)
            statuses[p.id] = expected_attendance(answer.answer if answer else None)
    return statuses


async def check_completion(
    db: AsyncSession, person_id: int, cohort_id: int, now: dt.datetime
) -> None:
    """Send "bewijs van deelname" and ask for certificate approval when the rules are met."""
    person = await db.get(Person, person_id)
    cohort = await db.get(Cohort, cohort_id)
    if person is None or cohort is None:
        return
    _tz, settings = await programme_setup(db, cohort.programme_id)
    record = await course.course_record(db, person_id, cohort_id)
    progress = course_progress(record, settings.completion, settings.template)
    if not progress.course_part_complete:
        return
    cert = await course.ensure_certificate(db, cohort.programme_id, person_id, cohort_id)
    if cert.participation_at is None:
        cert.participation_at = now
        await notify.to_person(
            db,
            person_id,
            notify.message_payload(
                _(
                    "Well done, {name}! You finished the course part of {group}. This is your "
                    "bewijs van deelname (certificate of participation).\n\n"
                    "Next step: 15 hours of practice at a club or institution. "
                    "Type /voortgang to see what is left."
                ).format(name=html.quote(person.first_name or ""), group=html.quote(cohort.name))
            ),
            key=participation_key(person_id),
            now=now,
        )
    if progress.certificate_ready and cert.requested_at is None:
        cert.requested_at = now
        await notify.to_coordinators(
            db,
            cohort.programme_id,
            notify.message_payload(
                _(
                    "{name} ({group}) finished the course and has {hours} confirmed practice "
                    "hours. Approve the Citytrainer certificate?"
                ).format(
                    name=html.quote(person_name(person)),
                    group=html.quote(cohort.name),
                    hours=progress.practice_minutes_confirmed // 60,
                ),
                inline_choices(
                    [
                        (
                            _("Approve certificate"),
                            CertificateCb(
                                action=CertificateAction.APPROVE, certificate=cert.id
                            ).pack(),
                        )
                    ]
                ),
            ),
            key=certificate_request_key(cert.id),
            now=now,
        )


async def certificate_document(
    db: AsyncSession, cert: CourseCertificate, person: Person, since: dt.date
) -> bytes:
    """The certificate's PDF, built off the event loop (see `docs.render_certificate`).

    Call it before writing anything: on SQLite a write holds the database's one write lock, and
    nobody else's update should wait for a PDF.
    """
    programme = await db.get(Programme, cert.programme_id)
    return await render_certificate(
        person_name(person),
        _("Citytrainers {programme}").format(programme=programme.name if programme else ""),
        _("Certificate Citytrainer"),
        [_("Date: {date}").format(date=since.strftime("%d-%m-%Y"))],
    )


async def send_certificate(
    db: AsyncSession, cert: CourseCertificate, person: Person, now: dt.datetime, pdf: bytes
) -> bool:
    """Congratulate the new Citytrainer and send the PDF (`certificate_document`), both
    through the outbox."""
    identity = await db.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.person_id == person.id, ChannelIdentity.channel == people.TELEGRAM
        )
    )
    reached = await notify.to_person(
        db,
        person.id,
        notify.message_payload(
            _(
                "Congratulations, {name}! You are now a Citytrainer. Your certificate follows "
                "below. Type /help to see what you can do now."
            ).format(name=html.quote(person.first_name or ""))
        ),
        key=certificate_congrats_key(cert.id),
        now=now,
    )
    if not reached or identity is None:
        return False
    await notify.enqueue(
        db,
        chat_id=identity.chat_id,
        method="sendDocument",
        payload={
            "document": {
                "filename": "certificaat-citytrainer.pdf",
                "base64": base64.b64encode(pdf).decode("ascii"),
            },
            "caption": _("Your Citytrainer certificate"),
        },
        key=certificate_pdf_key(cert.id),
        now=now,
        priority=Priority.INTERACTIVE,
        person_id=person.id,
        programme_id=cert.programme_id,
    )
    return True
