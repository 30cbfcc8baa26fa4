"""Data objects returned by ``simulator.client`` (messages, files, callback answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FileInfo:
    file_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int | None
    download_url: str


@dataclass
class BotMessage:
    """A message as shown in the chat (``text`` holds the caption for media)."""

    message_id: int
    sender: str  # "bot" or "user"
    kind: str  # text, document, photo, sticker, voice
    text: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    seq: int
    deleted: bool = False
    document: FileInfo | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_snapshot(cls, snap: dict[str, Any], seq: int) -> BotMessage:
        file = snap.get("file")
        return cls(
            message_id=snap["message_id"],
            sender=snap["sender"],
            kind=snap["kind"],
            text=snap.get("text"),
            entities=snap.get("entities") or [],
            reply_markup=snap.get("reply_markup"),
            seq=seq,
            deleted=snap.get("deleted", False),
            document=FileInfo(**file) if file else None,
            edits=snap.get("edits", []),
            raw=snap.get("raw", {}),
        )

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard") or []

    @property
    def reply_keyboard(self) -> list[list[Any]]:
        return (self.reply_markup or {}).get("keyboard") or []

    @property
    def buttons(self) -> list[str]:
        rows = self.inline_keyboard or self.reply_keyboard
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]


@dataclass
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None = None
