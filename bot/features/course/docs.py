"""Files of the course: calendar (.ics) files and the Citytrainer certificate (PDF).

Building the PDF takes long enough (fonts, text shaping; up to seconds on a small machine) to
hold up every update if it ran on the event loop: handlers call `render_certificate`, which
builds it in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from icalendar import Calendar, Event

from storage.course.models import CourseSession

# DejaVu Sans 2.37 (Debian fonts-dejavu-core), shipped with the bot: see fonts/LICENSE.
FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
FONT_FAMILY = "dejavu"
# One certificate at a time: every call loads its own font into its own FPDF, so nothing is
# shared; the lock keeps it so whatever fpdf2, fontTools or HarfBuzz cache internally.
_PDF_LOCK = threading.Lock()


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


async def render_certificate(name: str, programme: str, title: str, lines: Sequence[str]) -> bytes:
    """`certificate_pdf` in a worker thread: the event loop keeps serving other updates."""
    return await asyncio.to_thread(certificate_pdf, name, programme, title, tuple(lines))


def certificate_pdf(name: str, programme: str, title: str, lines: Sequence[str]) -> bytes:
    """A one-page certificate: title, the person's name, the programme and the date lines.

    Any name prints as written (Turkish, Polish, Arabic, ...): the shipped DejaVu Sans covers
    them, and text shaping (HarfBuzz) joins Arabic letters and sets right-to-left text in order.
    Blocking (CPU-bound): from a handler, use `render_certificate`. Thread-safe.
    """
    with _PDF_LOCK:
        return _build_certificate(name, programme, title, lines)


def _build_certificate(name: str, programme: str, title: str, lines: Sequence[str]) -> bytes:
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
