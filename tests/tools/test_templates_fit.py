"""Every template with placeholders, filled with maximal hostile values, is a text Telegram
accepts (issue 12: "test every template with maximal inputs").

For each msgid with placeholders in the catalogs (locales/nl/LC_MESSAGES/*.po), the Dutch
msgstr (and the English msgid, shown when a translation is missing) is rendered with every
placeholder filled by an escaped value of the field's maximum length ("<&>" repeated, through
`html.quote`, as the code must do), then checked with `bot.kit.texts.check`:

- no placeholder inside a tag (an attribute value is not escaped by `html.quote`: `"` would end
  it); the result parses;
- it fits one message (4096). Placeholders that stand for a list the code builds (`LISTS`) have
  no maximum: those texts are paged or split by the code (and by `bot.kit.notify` /
  `bot.app.outgoing`), and only parse is checked for them.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import polib
import pytest
from aiogram import html

from bot.kit import texts
from domain.names import MAX_NAME_LENGTH
from domain.signup.settings import CONTACT_MAX, MOTIVATION_MAX

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted((ROOT / "locales" / "nl" / "LC_MESSAGES").glob("*.po"))

NUMBER = 12
"""An id, count, amount of hours, date or time: at most this many characters."""
TEXT = 200
"""A placeholder not listed below: a typed or stored text of at most 200 characters."""
MAXIMUM = {
    # people (Telegram's first_name is 64; names typed in the signup too)
    "name": MAX_NAME_LENGTH,
    "parent": MAX_NAME_LENGTH,
    "trainee": MAX_NAME_LENGTH,
    "supervisor": MAX_NAME_LENGTH,
    "who": MAX_NAME_LENGTH,
    "names": 20 * (MAX_NAME_LENGTH + 2),  # a group's course leaders
    # stored fields (the models' column lengths; a group's name is 100, 200 to be safe)
    "group": 200,
    "own": 200,
    "title": 120,
    "org": 120,
    "place": 200,
    "where": 200,
    "area": 200,
    "programme": 100,
    "contact": 200,
    "email": 254,
    "link": 160,
    "kind": 40,
    "track": 40,
    "status": 60,
    "state": 60,
    "route": 60,
    "gender": 40,
    "school": 40,
    "heard": 40,
    "mark": 2,
    "value": 80,
    # typed texts, limited by their flows
    "question": 1000,
    "answer": 1500,  # a reply is cut to 1500; the coordinator's /vraag answer: `texts.room`
    "reason": 1000,
    "motivation": MOTIVATION_MAX,
    "what": 500,
    "how": 200,
    "needs": 500,
    # pieces the code renders (at most this long)
    "card": 1600,
    "offer": 500,
    "line": 300,
    "prompt": 300,
    "base": 300,
    "when": 60,
    "old": 60,
    "new": 60,
    "until": 60,
    "date": 40,
    "day": 40,
    "time": 20,
    "start": 20,
    "end": 20,
    "postcode": 7,
}
LISTS = {"lines", "items", "history", "commands"}
"""Placeholders for a list the code builds (no fixed maximum: the code pages or splits)."""
NUMBERS = {
    "id", "count", "n", "total", "days", "hours", "h", "age", "position", "capacity", "waiting",
    "sent", "unreachable", "failed", "done", "placed", "pending", "confirmed", "taken",
    "places", "needed", "free", "nudged", "weeks", "months", "minutes", "present", "absent",
    "excused", "avg", "rate", "share", "number", "max", "low", "high", "first", "last", "back",
    "w", "shown",
}  # fmt: skip

TOO_LONG: dict[str, str] = {}
"""Templates that cannot fit one message with maximal inputs, and why that is acceptable."""

_FORMATTER = string.Formatter()
_TAG = re.compile(r"<[^<>]*>")


def _fields(template: str) -> list[str]:
    return [f for _, f, _, _ in _FORMATTER.parse(template) if f]


def _maximal(field: str) -> str:
    if field in NUMBERS:
        return "9" * NUMBER
    size = 2000 if field in LISTS else MAXIMUM.get(field, TEXT)
    return html.quote(("<&>" * size)[:size])


def _entries() -> list[tuple[str, polib.POEntry]]:
    found = []
    for path in CATALOGS:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and _fields(entry.msgid):
                found.append((path.name, entry))
    return found


ENTRIES = _entries()


def test_the_catalogs_have_templates() -> None:
    assert len(ENTRIES) > 200
    assert MAXIMUM["contact"] >= CONTACT_MAX


@pytest.mark.parametrize(
    ("catalog", "entry"), ENTRIES, ids=[f"{c}:{e.linenum}" for c, e in ENTRIES]
)
def test_template_with_maximal_inputs_is_accepted(catalog: str, entry: polib.POEntry) -> None:
    for template in (entry.msgstr, entry.msgid):
        if not template:
            continue
        for tag in _TAG.findall(template):
            assert not _fields(tag), f"placeholder inside a tag: {tag!r} in {template!r}"
        fields = _fields(template)
        text = template.format(**{field: _maximal(field) for field in fields})
        size = texts.length(text)  # raises TelegramHTMLError when it does not parse
        if LISTS & set(fields) or entry.msgid in TOO_LONG:
            continue
        assert size <= texts.MESSAGE_LIMIT, (
            f"{catalog}: {entry.msgid!r} is {size} characters with maximal inputs"
        )
