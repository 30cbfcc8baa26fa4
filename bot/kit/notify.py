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

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, people
from storage.models import ChannelIdentity, OutboxStatus, Person
from storage.outbox import Priority
from storage.refs import key as make_key


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
    report_to: int | None = None,
) -> bool:
    """Queue a message for a person on their Telegram chat; False when they cannot be reached.

    `not_before` is the earliest moment the caller wants; at night for a minor the outbox moves
    it to 08:00 (module docstring). `report_to`: who is told if it is lost in the end (the
    coordinator whose answer it carries, say).
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
        report_to=report_to,
    )
    return True


async def report_lost(session: AsyncSession, lost: list[outbox.Lost], now: dt.datetime) -> None:
    """Tell the person behind each lost message (its `report_to`) that it did not arrive.

    Called by the outbox sender in the transaction that records the loss (inside the bot's
    i18n context); one report per message (idempotency key)."""
    for item in lost:
        person = await session.get(Person, item.person_id) if item.person_id else None
        name = html.quote(person.first_name or "?") if person is not None else "?"
        if item.status == OutboxStatus.UNCERTAIN:
            text = _(
                "Your message to {name} may not have arrived: the connection to Telegram broke "
                "off while it was being sent. If it matters, send it again."
            )
        elif item.status == OutboxStatus.DEAD:
            text = _(
                "Your message to {name} could not be delivered: Telegram could not be reached "
                "for 24 hours."
            )
        else:
            text = _("Your message to {name} could not be delivered.")
        await to_person(
            session,
            item.report_to,
            message_payload(text.format(name=name)),
            key=make_key("outbox-lost", item.id),
            now=now,
        )
