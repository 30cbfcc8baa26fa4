"""What Telegram accepts as a text: checked before it is sent, split when it is too long.

Every text the bot sends is HTML (parse mode HTML). Telegram refuses a text whose HTML does not
parse ("can't parse entities"), a message longer than 4096 and a caption longer than 1024
characters (counted in UTF-16 code units of the *visible* text, after the tags are gone), and an
empty message. `check` applies exactly those rules with the parser the emulator uses
(`bot.kit.telegram_html`), so a text is known to be good before it is queued or sent:

- `check(text)` raises `TelegramHTMLError` (a bug: an interpolation was not escaped),
  `TextTooLong` or `TextEmpty`; it returns the visible length.
- `split(text, limit)` cuts a long text into parts that each parse and fit: at a paragraph, else
  a line, else a space where no tag is open; never inside a tag or a character entity (`&amp;`).
  Only a single tagged block longer than the limit is cut inside its tag, which is then closed
  at the end of the part and opened again at the start of the next one.
- `cap(text, limit)` keeps what fits and ends it with "…" (for an edit or a caption, which
  cannot become two messages).
- `room(text)`: how much typed text still fits in a message next to `text` (for refusing a
  too-long answer up front rather than failing when it is sent).

Outbox rows are checked and split when they are queued (`bot.kit.notify`); direct answers by a
request middleware on the bot (`bot.app.outgoing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot.kit.telegram_html import TelegramHTMLError, parse_html, utf16_len

__all__ = [
    "CAPTION_LIMIT",
    "MESSAGE_LIMIT",
    "TelegramHTMLError",
    "TextEmpty",
    "TextTooLong",
    "cap",
    "check",
    "fits",
    "length",
    "room",
    "split",
    "visible",
]

MESSAGE_LIMIT = 4096
"""Telegram's maximum length of a message text (visible UTF-16 code units)."""
CAPTION_LIMIT = 1024
"""Telegram's maximum length of a caption of a photo or document."""
ELLIPSIS = "…"


class TextTooLong(ValueError):
    """A text longer than Telegram accepts ("message is too long")."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"text is too long: {length} characters, at most {limit}")
        self.length = length
        self.limit = limit


class TextEmpty(ValueError):
    """A message without visible text ("message text is empty")."""

    def __init__(self) -> None:
        super().__init__("message text is empty")


def visible(text: str) -> str:
    """The text a person sees (tags gone, entities decoded); raises `TelegramHTMLError`."""
    return parse_html(text)[0]


def length(text: str) -> int:
    """The visible length of an HTML text in UTF-16 code units; raises `TelegramHTMLError`."""
    plain, _entities = parse_html(text)
    return utf16_len(plain)


def check(text: str, limit: int = MESSAGE_LIMIT, *, caption: bool = False) -> int:
    """Raise what Telegram would refuse; return the visible length.

    `TelegramHTMLError` when the HTML does not parse, `TextTooLong` above `limit`, and for a
    message (not a caption) `TextEmpty` when nothing visible is left."""
    plain, _entities = parse_html(text)
    size = utf16_len(plain)
    if size > limit:
        raise TextTooLong(size, limit)
    if not caption and not plain.strip():
        raise TextEmpty()
    return size


def fits(text: str, limit: int = MESSAGE_LIMIT) -> bool:
    """Whether the (valid) HTML text fits in one message; raises `TelegramHTMLError`."""
    return length(text) <= limit


def room(text: str, limit: int = MESSAGE_LIMIT) -> int:
    """How many characters may still be added to `text` (rendered without the typed part)."""
    return max(0, limit - length(text))


# --- splitting ---------------------------------------------------------------------------------

_ENTITY_RE = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z0-9-]*)")
_SPACES = frozenset(" \t\n\r")


class _Cut(IntEnum):
    """Where a part may end, best first (a lower value is a better place)."""

    PARAGRAPH = 0
    LINE = 1
    SPACE = 2
    NESTED_PARAGRAPH = 3
    NESTED_LINE = 4
    NESTED_SPACE = 5
    ANYWHERE = 6
    NESTED_ANYWHERE = 7


@dataclass(frozen=True)
class _Piece:
    """One character (or character entity) of the visible text, or one tag."""

    source: str
    width: int  # visible UTF-16 code units
    opens: str | None = None  # tag name of a start tag
    closes: str | None = None  # tag name of an end tag

    @property
    def space(self) -> bool:
        return self.source in _SPACES


def _pieces(text: str) -> list[_Piece]:
    """The pieces of a text that parses (`check` first)."""
    pieces: list[_Piece] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            end = text.index(">", i) + 1
            source = text[i:end]
            name = _TAG_NAME_RE.match(source)
            tag = name.group(1).lower() if name else ""
            if source.startswith("</"):
                pieces.append(_Piece(source, 0, closes=tag))
            else:
                pieces.append(_Piece(source, 0, opens=tag))
            i = end
        elif ch == "&" and (m := _ENTITY_RE.match(text, i)) is not None:
            pieces.append(_Piece(m.group(0), length(m.group(0))))
            i = m.end()
        else:
            pieces.append(_Piece(ch, utf16_len(ch)))
            i += 1
    return pieces


class _Layout:
    """The pieces with, at each boundary (before piece i), the visible offset and open tags."""

    def __init__(self, text: str) -> None:
        self.pieces = _pieces(text)
        self.offset = [0]
        self.stack: list[tuple[_Piece, ...]] = [()]
        open_tags: list[_Piece] = []
        for piece in self.pieces:
            if piece.opens is not None:
                open_tags.append(piece)
            elif piece.closes is not None and open_tags:
                open_tags.pop()
            self.offset.append(self.offset[-1] + piece.width)
            self.stack.append(tuple(open_tags))

    def cut(self, at: int) -> _Cut:
        """How good a place boundary `at` is to end a part."""
        before = self.pieces[at - 1]
        nested = 3 if self.stack[at] else 0
        if before.source == "\n":
            if at >= 2 and self.pieces[at - 2].source == "\n":
                return _Cut(_Cut.PARAGRAPH + nested)
            return _Cut(_Cut.LINE + nested)
        if before.space:
            return _Cut(_Cut.SPACE + nested)
        return _Cut.NESTED_ANYWHERE if nested else _Cut.ANYWHERE

    def best_end(self, start: int, limit: int) -> int:
        """Where the part from `start` ends: the best place within `limit`, preferably in its
        second half (so parts are not needlessly short)."""
        last = start
        while last < len(self.pieces) and self.offset[last + 1] - self.offset[start] <= limit:
            last += 1
        if last == len(self.pieces):
            return last
        furthest: dict[_Cut, int] = {}
        for at in range(last, start, -1):
            if self.offset[at] > self.offset[start]:  # something visible in the part
                furthest.setdefault(self.cut(at), at)
        half = self.offset[start] + limit // 2
        for kind in sorted(furthest):
            if self.offset[furthest[kind]] >= half:
                return furthest[kind]
        return furthest[min(furthest)]

    def part(self, start: int, end: int) -> str:
        """The source of pieces[start:end] with the tags open at `start` opened again and the
        ones still open at `end` closed; whitespace at either end dropped."""
        while end > start and self.pieces[end - 1].space:
            end -= 1
        body = "".join(piece.source for piece in self.pieces[start:end])
        reopen = "".join(tag.source for tag in self.stack[start])
        close = "".join(f"</{tag.opens}>" for tag in reversed(self.stack[end]))
        return reopen + body + close


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` as one or more texts that each parse and fit `limit` (module docstring).

    Raises `TelegramHTMLError` when `text` itself does not parse (nothing to split then)."""
    if length(text) <= limit:
        return [text]
    if limit < 2:
        raise ValueError("limit must leave room for at least one character")
    layout = _Layout(text)
    parts: list[str] = []
    start = 0
    total = len(layout.pieces)
    while start < total:
        while start < total and layout.pieces[start].space:
            start += 1
        if start == total:
            break
        end = layout.best_end(start, limit)
        part = layout.part(start, end)
        if parse_html(part)[0].strip():
            parts.append(part)
        start = end
    return parts


def cap(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` when it fits, else its first part that fits with "…" after it."""
    if length(text) <= limit:
        return text
    return split(text, limit - utf16_len(ELLIPSIS))[0] + ELLIPSIS
