"""Every text that comes in is cleaned of control characters, in this one place.

A NUL byte is refused by PostgreSQL (the whole update would fail), and control characters in
names and answers end up in messages to coordinators and in logs (where they can forge lines
or hide text). Before any handler runs, every string of the update (message text and caption,
names, callback data, ...) loses its control characters; a line break stays, a tab becomes a
space, a Windows line end ("\\r\\n") becomes "\\n". The offsets of the message's entities
(commands, bold, links) are moved along, so they still point at the same text.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    EVENT_THREAD_ID_KEY,
    UserContextMiddleware,
)
from aiogram.types import TelegramObject, Update

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# C0 and C1 control characters and DEL, except the line break (kept) and the tab (a space)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NOT_ALLOWED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def clean_text(text: str) -> str:
    """`text` without control characters (line breaks kept, tabs as spaces)."""
    if not NOT_ALLOWED.search(text):
        return text
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def clean_with_offsets(text: str) -> tuple[str, list[int]]:
    """The cleaned text, and for each UTF-16 offset of `text` (and its end) the new offset."""
    out: list[str] = []
    offsets: list[int] = []
    new = 0
    i = 0
    while i < len(text):
        char = text[i]
        units = _utf16_units(char)
        if char == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            replacement = ""  # the "\n" that follows stays
        elif char == "\r":
            replacement = "\n"
        elif char == "\t":
            replacement = " "
        elif CONTROL.fullmatch(char):
            replacement = ""
        else:
            replacement = char
        offsets.extend([new] * units)
        out.append(replacement)
        new += sum(_utf16_units(c) for c in replacement)
        i += 1
    offsets.append(new)
    return "".join(out), offsets


def _move_entities(entities: list[Any], offsets: list[int]) -> list[Any]:
    moved = []
    for entity in entities:
        if not isinstance(entity, Mapping):
            moved.append(entity)
            continue
        start = int(entity.get("offset", 0))
        end = start + int(entity.get("length", 0))
        start, end = min(start, len(offsets) - 1), min(end, len(offsets) - 1)
        length = offsets[end] - offsets[start]
        if length > 0:
            moved.append({**entity, "offset": offsets[start], "length": length})
    return moved


def clean_value(value: Any) -> Any:
    """A copy of plain data (an update as a dict) with every string cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    out = {key: clean_value(v) for key, v in value.items()}
    for key, raw in value.items():
        entities_key = "entities" if key == "text" else f"{key}_entities"
        if (
            isinstance(raw, str)
            and NOT_ALLOWED.search(raw)
            and isinstance(value.get(entities_key), list)
        ):
            cleaned, offsets = clean_with_offsets(raw)
            out[key] = cleaned
            out[entities_key] = _move_entities(value[entities_key], offsets)
    return out


def has_control(value: Any) -> bool:
    if isinstance(value, str):
        return NOT_ALLOWED.search(value) is not None
    if isinstance(value, Mapping):
        return any(has_control(v) for v in value.values())
    if isinstance(value, list):
        return any(has_control(v) for v in value)
    return False


def clean_update(update: Update) -> Update:
    """The update itself when it has nothing to clean, else a cleaned copy (bound to its bot)."""
    raw = update.model_dump(mode="python", exclude_unset=True)
    if not has_control(raw):
        return update
    return Update.model_validate(clean_value(raw), context={"bot": update.bot})


class CleanTextMiddleware(BaseMiddleware):
    """Outer update middleware: handlers (and the database) only ever see cleaned text."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        cleaned = clean_update(event)
        if cleaned is not event:
            context = UserContextMiddleware.resolve_event_context(cleaned)
            data[EVENT_CONTEXT_KEY] = context
            for key, value in (
                (EVENT_FROM_USER_KEY, context.user),
                (EVENT_CHAT_KEY, context.chat),
                (EVENT_THREAD_ID_KEY, context.thread_id),
            ):
                if value is not None:
                    data[key] = value
        return await handler(cleaned, data)
