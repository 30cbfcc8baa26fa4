"""Telegram's HTML parse mode, strictly: the plain text a message shows, and its entities.

One parser for the bot and the emulator (`simulator.telegram_html` wraps it): what the bot
checks before it sends (`bot.kit.texts`) is exactly what the emulator in the tests refuses.
Pure (standard library only). An invalid text raises `TelegramHTMLError`, whose message is
Telegram's own description ("can't parse entities: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED = {*_SIMPLE, "span", "a", "blockquote", "tg-emoji"}
_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_RE = re.compile(
    r"""\s*([a-zA-Z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""",
)


def utf16_len(text: str) -> int:
    """Telegram counts lengths and offsets in UTF-16 code units (an emoji is 2)."""
    return len(text.encode("utf-16-le")) // 2


class TelegramHTMLError(ValueError):
    """Telegram would refuse this text: "can't parse entities: <reason>"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"can't parse entities: {reason}")
        self.reason = reason


def _fail(text: str) -> TelegramHTMLError:
    return TelegramHTMLError(text)


@dataclass
class _Open:
    tag: str
    start: int  # utf-16 offset in the output
    entity: dict[str, Any] | None
    attrs: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "<":
                self.tag()
            elif ch == "&":
                self.entity()
            else:
                nxt = len(src)
                for stop in ("<", "&"):
                    idx = src.find(stop, self.pos)
                    if idx != -1:
                        nxt = min(nxt, idx)
                self.emit(src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise _fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def decode(self, text: str, base: int) -> str:
        parts: list[str] = []
        i = 0
        while i < len(text):
            if text[i] == "&":
                value, i = self.read_entity(text, i, base)
                parts.append(value)
            else:
                parts.append(text[i])
                i += 1
        return "".join(parts)

    def read_entity(self, text: str, i: int, base: int) -> tuple[str, int]:
        m = re.match(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);", text[i:])
        if m is None:
            if i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] == "#"):
                raise _fail(f"Character entity expected at byte offset {base + i}")
            return "&", i + 1
        body = m.group(1)
        if body.startswith(("#x", "#X")):
            code = int(body[2:], 16)
        elif body.startswith("#"):
            code = int(body[1:])
        elif body.lower() in _NAMED:
            return _NAMED[body.lower()], i + m.end()
        else:
            raise _fail(f'Unsupported HTML entity "&{body};" at byte offset {base + i}')
        if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _fail(f"Wrong character entity at byte offset {base + i}")
        return chr(code), i + m.end()

    def entity(self) -> None:
        value, end = self.read_entity(self.src, self.pos, 0)
        self.emit(value)
        self.pos = end

    def tag(self) -> None:
        src, start = self.src, self.pos
        close = src.find(">", start)
        if src.startswith("</", start):
            if close == -1:
                raise _fail(f"Unclosed end tag at byte offset {self.byte_offset(start)}")
            name = src[start + 2 : close].strip().lower()
            self.pos = close + 1
            self.end_tag(name, start)
            return
        name = _NAME_RE.match(src, start + 1).group(0).lower()  # type: ignore[union-attr]
        if name not in _SUPPORTED:
            raise _fail(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}')
        if close == -1:
            raise _fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
        attrs = self.attrs(src[start + 1 + len(name) : close], start)
        self.pos = close + 1
        self.start_tag(name, attrs, start)

    def attrs(self, text: str, start: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        text = text.rstrip().removesuffix("/")
        i = 0
        while i < len(text) and text[i:].strip():
            m = _ATTR_RE.match(text, i)
            if m is None or m.end() == i:
                raise _fail(
                    "Expected equal sign in declaration of an attribute of the start tag "
                    f"at byte offset {self.byte_offset(start)}"
                )
            raw = next((g for g in m.groups()[1:] if g is not None), "")
            attrs[m.group(1).lower()] = self.decode(raw, self.byte_offset(start))
            i = m.end()
        return attrs

    def start_tag(self, name: str, attrs: dict[str, str], start: int) -> None:
        entity: dict[str, Any] | None = None
        at = self.byte_offset(start)
        if name in _SIMPLE:
            entity = {"type": _SIMPLE[name]}
        elif name == "span":
            if attrs.get("class") != "tg-spoiler":
                raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
            entity = {"type": "spoiler"}
        elif name == "a":
            href = attrs.get("href", "")
            if href.startswith("tg://user?id="):
                uid = href[len("tg://user?id=") :]
                user = {"id": int(uid) if uid.isdigit() else 0, "is_bot": False, "first_name": ""}
                entity = {"type": "text_mention", "user": user}
            elif href:
                entity = {"type": "text_link", "url": href}
        elif name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            entity = {"type": kind}
        elif name == "tg-emoji":
            if "emoji-id" not in attrs:
                raise _fail(f"Custom emoji identifier expected at byte offset {at}")
            entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        if name == "code" and self.stack and self.stack[-1].tag == "pre":
            lang = attrs.get("class", "")
            pre = self.stack[-1].entity
            if lang.startswith("language-") and pre is not None:
                pre["language"] = lang[len("language-") :]
        self.stack.append(_Open(name, self.out_len, entity, attrs))

    def end_tag(self, name: str, start: int) -> None:
        if not self.stack:
            raise _fail(f"Unexpected end tag at byte offset {self.byte_offset(start)}")
        top = self.stack[-1]
        if top.tag != name:
            raise _fail(
                f"Unmatched end tag at byte offset {self.byte_offset(start)}, "
                f'expected "</{top.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        if top.entity is None or self.out_len == top.start:
            return
        parent = self.stack[-1] if self.stack else None
        pre_language = parent is not None and "language" in (parent.entity or {})
        if top.tag == "code" and pre_language:
            return
        length = self.out_len - top.start
        self.entities.append({**top.entity, "offset": top.start, "length": length})


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise `TelegramHTMLError` when invalid."""
    return _Parser(text).run()
