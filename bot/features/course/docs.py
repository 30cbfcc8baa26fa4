"""Files of the course: calendar (.ics) files and the Citytrainer certificate (PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from icalendar import Calendar, Event

from storage.course.models import CourseSession

# DejaVu Sans 2.37 (Debian fonts-dejavu-core), shipped with the bot: see fonts/LICENSE.
FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
FONT_FAMILY = "dejavu"


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
    """A one-page certificate: title, the person's name, the programme and the date lines.

    Any name prints as written (Turkish, Polish, Arabic, ...): the shipped DejaVu Sans covers
    them, and text shaping (HarfBuzz) joins Arabic letters and sets right-to-left text in order.
    """
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_page()
    pdf.add_font(FONT_FAMILY, fname=str(FONT))
    pdf.set_text_shaping(True)
    pdf.ln(30)
    _fit(pdf, title, size=34)
    pdf.cell(0, 20, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    _fit(pdf, name, size=26)
    pdf.cell(0, 16, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for line in (programme, *lines):
        _fit(pdf, line, size=16)
        pdf.cell(0, 10, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, *, size: int, smallest: int = 10) -> None:
    """Set the font at `size`, smaller when needed so that `text` fits on one line."""
    pdf.set_font(FONT_FAMILY, size=size)
    while size > smallest and pdf.get_string_width(text) > pdf.epw:
        size -= 1
        pdf.set_font(FONT_FAMILY, size=size)
