"""The coordinator's weekly digest: one message with a line and a button per item."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.nazorg.callbacks import DigestAction
from bot.features.nazorg.texts import day_text, local_text
from bot.kit import notify
from bot.kit.keyboards import inline_choices
from domain.local_time import at_local
from domain.nazorg.settings import DigestItem, week_bounds
from storage.models import Programme
from storage.nazorg import digest as nazorg_digest
from storage.outbox import Priority


def week_of(now: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    monday, next_monday = week_bounds(now.astimezone(tz).date())
    return at_local(monday, dt.time(0, 0), tz), at_local(next_monday, dt.time(0, 0), tz)


def titles() -> dict[DigestItem, str]:
    return {
        DigestItem.FOLLOW_UP: _("Follow-up list (approach personally)"),
        DigestItem.SIGNUPS: _("Signups waiting for your decision"),
        DigestItem.HOURS: _("Hours waiting for a supervisor for more than 7 days"),
        DigestItem.PROPOSALS: _("Proposals waiting"),
        DigestItem.CLOSING: _("Opportunities with free places closing soon"),
        DigestItem.SESSIONS: _("Sessions this week"),
    }


def commands() -> dict[DigestItem, str]:
    return {
        DigestItem.FOLLOW_UP: _("Mark someone as approached with /opvolgen."),
        DigestItem.SIGNUPS: _("Decide with /aanmeldingen."),
        DigestItem.HOURS: _("Decide in the message about these hours, or ask the supervisor."),
        DigestItem.PROPOSALS: _("Decide in the message about the proposal."),
        DigestItem.CLOSING: _("See them with /kansen."),
        DigestItem.SESSIONS: _("Plan and see sessions with /groepen."),
    }


async def digest_text(
    session: AsyncSession, programme: Programme, now: dt.datetime
) -> tuple[str, list[tuple[str, str]]]:
    tz = ZoneInfo(programme.timezone or "Europe/Amsterdam")
    week = week_of(now, tz)
    names = titles()
    lines = [_("<b>Your week at Citytrainers</b> ({date})").format(date=day_text(now)), ""]
    buttons = []
    for kind, query in nazorg_digest.ITEMS.items():
        item = await query(session, programme.id, now, week)
        if item is None or item.count == 0:
            continue
        lines.append(f"• {names[kind]}: <b>{item.count}</b>")
        buttons.append((f"{names[kind]} ({item.count})", DigestAction(item=kind).pack()))
    if not buttons:
        lines.append(_("Nothing is waiting for you this week."))
    return "\n".join(lines), buttons


async def send_digest(
    session: AsyncSession, programme: Programme, chat: str, now: dt.datetime, *, key: str
) -> None:
    text, buttons = await digest_text(session, programme, now)
    if not buttons:  # nothing waits: no message (coordinators get enough of them)
        return
    await notify.enqueue(
        session,
        chat_id=chat,
        payload=notify.message_payload(text, inline_choices(buttons) if buttons else None),
        key=key,
        now=now,
        priority=Priority.REMINDER,
        programme_id=programme.id,
    )


async def item_details(
    session: AsyncSession, programme: Programme, kind: DigestItem, now: dt.datetime
) -> str | None:
    query = nazorg_digest.ITEMS.get(kind)
    if query is None:
        return None
    tz = ZoneInfo(programme.timezone or "Europe/Amsterdam")
    item = await query(session, programme.id, now, week_of(now, tz))
    if item is None:
        return None
    lines = [f"<b>{titles()[kind]}</b>: {item.count}"]
    for label, at in item.rows:
        when = f" ({local_text(at)})" if at is not None else ""
        lines.append(f"• {html.quote(label)}{when}")
    if item.count > len(item.rows):
        lines.append(_("… and {n} more").format(n=item.count - len(item.rows)))
    lines.append("")
    lines.append(commands()[kind])
    return "\n".join(lines)
