"""Messages to someone other than the sender always go through the outbox.

The texts are rendered now (in the sender's transaction, with the catalog active) and
delivered later by the OutboxSender.

Quiet hours: nothing reaches a minor between 21:00 and 08:00 local. Callers need not (and cannot
opt out): `storage.outbox.enqueue` moves every row's `not_before` from the recipient's age
(`domain.reminders.counts_as_adult`: unknown age counts as a minor, staff without a date of
birth as adults), whatever `not_before` is passed here; a later one is kept. Direct answers to
the sender of an update (`message.answer`) are no outbox rows and are not delayed.

Texts Telegram would refuse are caught here, when a message is queued, not when it is sent
(issue 12): `message_payload` raises `TelegramHTMLError` at once for HTML that does not parse
(a bug: an interpolation was not escaped with `html.quote`), and a message longer than 4096
characters becomes several rows (`parts`: keys `key`, `key:2`, ...; the buttons on the last).
An edit or a caption that is too long is cut short with "…" (it cannot become two messages).
Every Telegram row is written through `enqueue` or `rows` here (a test checks that nothing else
calls `storage.outbox` directly), so no feature can skip the check.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import texts
from storage import outbox, people
from storage.models import ChannelIdentity, OutboxStatus, Person
from storage.outbox import Priority
from storage.refs import key as make_key

log = logging.getLogger(__name__)
SEND_MESSAGE = "sendMessage"


def document_payload(filename: str, content: bytes, caption: str | None = None) -> dict[str, Any]:
    """A document for `method="sendDocument"` (stored base64 in the outbox row)."""
    payload: dict[str, Any] = {
        "document": {"filename": filename, "base64": base64.b64encode(content).decode()}
    }
    if caption:
        texts.length(caption)  # HTML that does not parse is a bug: raise now, not when sent
        payload["caption"] = caption
    return payload


def message_payload(
    text: str, markup: InlineKeyboardMarkup | None = None, *, silent: bool = False
) -> dict[str, Any]:
    """A message for `method="sendMessage"`.

    Raises `TelegramHTMLError` when `text` is not valid HTML and `TextEmpty` when nothing
    visible is left: a bug in the caller, found by its tests. A text longer than a message is
    fine here: it becomes several messages when it is queued (`parts`)."""
    if not texts.visible(text).strip():
        raise texts.TextEmpty()
    payload: dict[str, Any] = {"text": text}
    if markup is not None:
        payload["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
    if silent:
        payload["disable_notification"] = True
    return payload


def one_message_payload(
    text: str, markup: InlineKeyboardMarkup | None = None, *, silent: bool = False
) -> dict[str, Any]:
    """`message_payload` for a message that must stay one (a broadcast counts one row per
    person): also raises `TextTooLong` above 4096 characters."""
    texts.check(text)
    return message_payload(text, markup, silent=silent)


def parts(payload: dict[str, Any], method: str = SEND_MESSAGE) -> list[dict[str, Any]]:
    """The payloads Telegram accepts for one outbox message (module docstring).

    A long "sendMessage" text becomes several payloads (the reply markup on the last one); a
    long "editMessageText" text or caption is cut short with "…" (logged). HTML that does not
    parse raises `TelegramHTMLError`."""
    if method == SEND_MESSAGE and isinstance(payload.get("text"), str):
        chunks = texts.split(payload["text"])
        if len(chunks) == 1:
            texts.check(chunks[0])  # nothing visible: Telegram refuses it, so a bug here
            return [payload]
        markup = payload.get("reply_markup")
        result = []
        for number, chunk in enumerate(chunks, start=1):
            part = {k: v for k, v in payload.items() if k != "reply_markup"}
            part["text"] = chunk
            if number == len(chunks) and markup is not None:
                part["reply_markup"] = markup
            result.append(part)
        return result
    for field, limit in (("text", texts.MESSAGE_LIMIT), ("caption", texts.CAPTION_LIMIT)):
        value = payload.get(field)
        if isinstance(value, str) and not texts.fits(value, limit):
            log.warning("%s: the %s is too long for Telegram and was cut short", method, field)
            payload = {**payload, field: texts.cap(value, limit)}
    return [payload]


def part_key(key: str, number: int) -> str:
    """The idempotency key of part `number` (1, 2, ...) of a message split by `parts`."""
    return key if number == 1 else f"{key[:190]}:{number}"


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: str,
    payload: dict[str, Any],
    key: str,
    now: dt.datetime,
    priority: Priority = Priority.INTERACTIVE,
    method: str = SEND_MESSAGE,
    not_before: dt.datetime | None = None,
    person_id: int | None = None,
    programme_id: int | None = None,
    ref: str | None = None,
    report_to: int | None = None,
) -> bool:
    """Queue a Telegram message (`storage.outbox.enqueue`), checked and split by `parts`;
    True when it was added (False: a message with this key exists)."""
    added = False
    for number, part in enumerate(parts(payload, method), start=1):
        new = await outbox.enqueue(
            session,
            chat_id=chat_id,
            payload=part,
            key=part_key(key, number),
            now=now,
            priority=priority,
            method=method,
            not_before=not_before,
            person_id=person_id,
            programme_id=programme_id,
            ref=ref,
            report_to=report_to,
        )
        added = added or (number == 1 and new)
    return added


def rows(
    *,
    chat_id: str,
    payload: dict[str, Any],
    key: str,
    now: dt.datetime,
    priority: int = Priority.INTERACTIVE,
    method: str = SEND_MESSAGE,
    not_before: dt.datetime | None = None,
    person_id: int | None = None,
    programme_id: int | None = None,
    ref: str | None = None,
) -> list[dict[str, Any]]:
    """The outbox rows of one Telegram message for `storage.outbox.enqueue_many`, checked and
    split by `parts` (keys `key`, `key:2`, ...)."""
    return [
        outbox.row(
            chat_id=chat_id,
            payload=part,
            key=part_key(key, number),
            now=now,
            priority=priority,
            method=method,
            not_before=not_before,
            person_id=person_id,
            programme_id=programme_id,
            ref=ref,
        )
        for number, part in enumerate(parts(payload, method), start=1)
    ]


async def enqueue_many(
    session: AsyncSession, checked: list[dict[str, Any]], *, now: dt.datetime
) -> int:
    """`storage.outbox.enqueue_many` for rows built with `rows` (already checked and split)."""
    return await outbox.enqueue_many(session, checked, now=now)


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
        await enqueue(
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
    await enqueue(
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
