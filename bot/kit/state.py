"""Reading conversation state safely: the parts every flow's typed state is made of.

A flow keeps its answers in aiogram's FSM data (JSON in the database or Redis). State saved by
an older version, or damaged, must never crash a handler: each reader returns None (or an
empty value) for anything that is not what it expects, and the flow asks again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def as_int(value: object) -> int | None:
    """An int, also from its ASCII digits as text; never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def as_date(value: object) -> dt.date | None:
    """A date saved as ISO text ("2026-03-10")."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def as_ints(value: object) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(n for n in (as_int(v) for v in value) if n is not None)


def as_member(enum: type[E], value: object) -> E | None:
    """The enum member with this value, or None."""
    if not isinstance(value, str):
        return None
    try:
        return enum(value)
    except ValueError:
        return None
