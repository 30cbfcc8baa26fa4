"""Files of the course: calendar (.ics) files and the Citytrainer certificate (PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from icalendar import Calendar, Event

from storage.course.models import CourseSession

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def calendar_file(
    items: Sequence[tuple[CourseSession, str, str | None]], tz: ZoneInfo, now: dt.datetime
) -> bytes:
    """An iCalendar file with one event per (session, title, location), in local time + zone."""
    cal = Calendar()
    cal.add("prodid", "-//Citytrainers bot//NL")
    cal.add("version", "2.0")
    for course_session, title, location in items:
        event = Event()
        start = course_session.starts_at.astimezone(tz)
        event.add("uid", f"course-session-{course_session.id}@citytrainers")
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=course_session.duration_minutes))
        event.add("dtstamp", now)
        if location:
            event.add("location", location)
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def certificate_pdf(name: str, programme: str, title: str, lines: Sequence[str]) -> bytes:
    """A one-page certificate: title, the person's name, the programme and the date lines."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("body", fname=str(FONT))
        family = "body"
    else:  # pragma: no cover - only without DejaVu fonts
        family = "helvetica"

        def latin(text: str) -> str:
            return text.encode("latin-1", "replace").decode("latin-1")

        name, programme, title = latin(name), latin(programme), latin(title)
        lines = [latin(line) for line in lines]
    pdf.set_font(family, size=34)
    pdf.ln(30)
    pdf.cell(0, 20, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=26)
    pdf.ln(10)
    pdf.cell(0, 16, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=16)
    pdf.ln(6)
    pdf.cell(0, 10, programme, align="C", new_x="LMARGIN", new_y="NEXT")
    for line in lines:
        pdf.cell(0, 10, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
