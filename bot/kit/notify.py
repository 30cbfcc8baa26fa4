"""Messages to someone other than the sender always go through the outbox.

The texts are rendered now (in the sender's transaction, with the catalog active) and
delivered later by the OutboxSender.

Quiet hours: nothing reaches a minor between 21:00 and 08:00 local. Callers need not (and cannot
opt out): `storage.outbox.enqueue` moves every row's `not_before` from the recipient's age
(`domain.reminders.counts_as_adult`: unknown age counts as a minor, staff without a date of
birth as adults), whatever `not_before` is passed here; a later one is kept. Direct answers to
the sender of an update (`message.answer`) are no outbox rows and are not delayed.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, people
from storage.models import ChannelIdentity
from storage.outbox import Priority


def document_payload(filename: str, content: bytes, caption: str | None = None) -> dict[str, Any]:
    """A document for `method="sendDocument"` (stored base64 in the outbox row)."""
    payload: dict[str, Any] = {
        "document": {"filename": filename, "base64": base64.b64encode(content).decode()}
    }
    if caption:
        payload["caption"] = caption
    return payload


def message_payload(
    text: str, markup: InlineKeyboardMarkup | None = None, *, silent: bool = False
) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text}
    if markup is not None:
        payload["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
    if silent:
        payload["disable_notification"] = True
    return payload


async def to_coordinators(
    session: AsyncSession,
    programme_id: int,
    payload: dict[str, Any],
    *,
    key: str,
    now: dt.datetime,
    ref: str | None = None,
    priority: Priority = Priority.INTERACTIVE,
) -> int:
    """Queue a message for every reachable coordinator of the programme; returns how many."""
    chats = await people.coordinator_chats(session, programme_id)
    for chat in chats:
        await outbox.enqueue(
            session,
            chat_id=chat,
            payload=payload,
            key=f"{key}:to:{chat}",
            now=now,
            priority=priority,
            programme_id=programme_id,
            ref=ref,
        )
    return len(chats)


async def to_person(
    session: AsyncSession,
    person_id: int,
    payload: dict[str, Any],
    *,
    key: str,
    now: dt.datetime,
    ref: str | None = None,
    priority: Priority = Priority.INTERACTIVE,
    not_before: dt.datetime | None = None,
    method: str = "sendMessage",
) -> bool:
    """Queue a message for a person on their Telegram chat; False when they cannot be reached.

    `not_before` is the earliest moment the caller wants; at night for a minor the outbox moves
    it to 08:00 (module docstring).
    """
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.person_id == person_id, ChannelIdentity.channel == people.TELEGRAM
        )
    )
    if identity is None or not identity.reachable:
        return False
    await outbox.enqueue(
        session,
        chat_id=identity.chat_id,
        payload=payload,
        key=key,
        now=now,
        priority=priority,
        person_id=person_id,
        ref=ref,
        not_before=not_before,
        method=method,
    )
    return True
