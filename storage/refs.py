"""Refs and idempotency keys: built and parsed by the same code, never by hand.

A *ref* names what an outbox message is about ("hours:12"); a reply to that message is routed
to the feature that registered the ref's kind (`Feature.replies`). An *idempotency key* makes an
outbox row unique ("hours:12:remind1:chat:34"), so a sweep or handler that runs twice writes
nothing twice. Features build both with the functions below, usually through small typed
builders of their own (`bot/features/<name>/keys.py`). It lives in `storage` (standard library
only) because queries build and match keys too.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = ":"
MAX_KEY_LENGTH = 200  # the outbox column


@dataclass(frozen=True)
class Ref:
    kind: str
    ident: str

    def __str__(self) -> str:
        return f"{self.kind}{SEPARATOR}{self.ident}"

    @property
    def number(self) -> int | None:
        """The ident as a positive database id, or None when it is not one."""
        return int(self.ident) if self.ident.isdigit() and self.ident.isascii() else None


def _part(value: object) -> str:
    text = str(value)
    if not text:
        raise ValueError("an empty part in a ref or key")
    return text


def ref(kind: str, ident: int | str) -> str:
    """The ref of one object, e.g. `ref("hours", 12)` == "hours:12"."""
    kind_text = _part(kind)
    if SEPARATOR in kind_text:
        raise ValueError(f"a ref kind may not contain {SEPARATOR!r}: {kind_text!r}")
    return str(Ref(kind_text, _part(ident)))


def parse_ref(text: str | None) -> Ref | None:
    """The ref stored on an outbox row, or None when there is none or it is malformed."""
    if not text:
        return None
    kind, sep, ident = text.partition(SEPARATOR)
    if not sep or not kind or not ident:
        return None
    return Ref(kind, ident)


def key(*parts: object) -> str:
    """An idempotency key from its parts, e.g. `key("hours", 12, "escalated")`."""
    if not parts:
        raise ValueError("a key needs at least one part")
    text = SEPARATOR.join(_part(p) for p in parts)
    if len(text) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key longer than {MAX_KEY_LENGTH}: {text[:60]}...")
    return text
