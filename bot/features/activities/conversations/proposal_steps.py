"""The questions of /voorstel (`conversations.proposal`): prompts, parsing, building.

Bad input gives back an `Error` (a Dutch explanation with an example).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.features.activities.conversations.state import AnswerName, ProposalData
from bot.features.opportunities.conversations.post import Error, _choice, _count, _text
from domain.local_time import AMSTERDAM
from domain.opportunities.input import MomentError, parse_moment
from storage.activities.models import Activity, ActivityKind

BACK_WORDS = ("terug", "vorige", "back")
UNKNOWN = "-"
_DATE = re.compile(r"\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?")


@dataclass(frozen=True)
class Step:
    name: AnswerName
    prompt: Callable[[], str]
    parse: Callable[[str, dt.datetime], Any]
    choices: Callable[[], list[tuple[str, str]]] = lambda: []


def _when(text: str, now: dt.datetime) -> Any:
    """A date or a period ("01-07-2026 tot 31-08-2026"): the text and the last date."""
    today = now.astimezone(AMSTERDAM).date()
    found = [parse_moment(token, today, dt.time(12, 0)) for token in _DATE.findall(text)]
    example = _("Type a date like <i>14-06-2026</i>, or a period like <i>01-07 tot 31-08</i>.")
    if not found or len(found) > 2 or len(text.strip()) > 100:
        return Error(_("I cannot read that date.") + " " + example)
    if any(d is MomentError.IN_PAST for d in found):
        return Error(_("That date has passed.") + " " + example)
    days = [d.date() for d in found if isinstance(d, dt.datetime)]
    if len(days) != len(found) or days != sorted(days):
        wrong = _("That date does not exist or the period is the wrong way round.")
        return Error(wrong + " " + example)
    return [text.strip(), days[-1].isoformat()]


def _place(text: str, now: dt.datetime) -> Any:
    return (
        UNKNOWN
        if text.strip().lower() in ("weet ik nog niet", UNKNOWN)
        else _text(2, 200)(text, now)
    )


STEPS: tuple[Step, ...] = (
    Step(
        "title",
        lambda: _("What is the activity called? For example <i>Voetbal op het plein</i>."),
        _text(3, 120),
    ),
    Step(
        "kind",
        lambda: _("What kind of activity is it?"),
        _choice(tuple(ActivityKind)),
        lambda: [
            (_("Sport"), ActivityKind.SPORT.value),
            (_("Culture"), ActivityKind.CULTURE.value),
            (_("Social"), ActivityKind.SOCIAL.value),
        ],
    ),
    Step(
        "group",
        lambda: _("Who is it for? For example <i>children from the neighbourhood</i>."),
        _text(3, 150),
    ),
    Step(
        "age",
        lambda: _("What age are they? For example <i>8-12</i> or <i>all ages</i>."),
        _text(1, 40),
    ),
    Step(
        "neighbourhood",
        lambda: _("In which neighbourhood? For example <i>Noord</i>."),
        _text(2, 80),
    ),
    Step(
        "place",
        lambda: _("Where exactly? Type the place, or tap <b>Don't know yet</b>."),
        _place,
        lambda: [(_("Don't know yet"), UNKNOWN)],
    ),
    Step(
        "when",
        lambda: _(
            "When is it? Type a date like <i>14-06-2026</i>, "
            "or a period like <i>01-07 tot 31-08</i>."
        ),
        _when,
    ),
    Step(
        "expected",
        lambda: _("How many participants do you expect? For example <i>20</i>."),
        _count(1, 5000),
    ),
    Step(
        "needs",
        lambda: _("What do you need? Tap everything that applies, then tap <b>Done</b>."),
        lambda t, n: Error(_("Please tap the buttons.")),
    ),
    Step(
        "recruitment",
        lambda: _(
            "How will you find participants? "
            "For example <i>via my football club and the school</i>."
        ),
        _text(5, 500),
    ),
)
NEEDS_STEP = 8


def build(data: ProposalData, programme_id: int, author: int | None, now: dt.datetime) -> Activity:
    """The activity the answers describe (not added to a session)."""
    when_text, last_day = data["when"]
    return Activity(
        id=None,
        programme_id=programme_id,
        person_id=author,
        title=data["title"],
        kind=data["kind"],
        target_group=f"{data['group']} ({data['age']})",
        neighbourhood=data["neighbourhood"],
        place=None if data["place"] == UNKNOWN else data["place"],
        when_text=when_text,
        planned_date=dt.date.fromisoformat(last_day),
        expected_participants=int(data["expected"]),
        needs=",".join(data.get("needs", [])),
        recruitment=data["recruitment"],
        created_at=now,
    )
