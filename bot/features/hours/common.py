"""Shared pieces of the practice-hours feature: signed supervisor buttons, texts and decisions.

Supervisor buttons carry an HMAC (key derived from the bot token) over the action and the log
id, so callback data that was not made by this bot is refused and logged. Whether the presser
may decide is always checked in the database (`may_decide`), and a decision itself is a
conditional update (`storage.hours.decide`), so a double tap or two supervisors racing give
exactly one decision.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import keys
from bot.features.hours.callbacks import DecisionAction, DecisionCb
from bot.kit import notify
from bot.kit.config import LOCAL_BOT_TOKEN, Settings
from bot.kit.keyboards import inline_choices
from domain.dates import age_on
from domain.hours.amounts import format_hours
from domain.hours.practice import (
    HoursKind,
    LogStatus,
    PracticeRules,
    ReminderStep,
    reached_requirement,
)
from domain.reminders import deliver_at
from domain.roles import Role
from storage import people
from storage.hours import queries as hours
from storage.hours.models import PracticeHours
from storage.opportunities.models import Opportunity
from storage.outbox import Priority

log = logging.getLogger(__name__)
RULES = PracticeRules()


def _key(settings: Settings) -> bytes:
    token = (
        settings.telegram_bot_token.get_secret_value()
        if settings.telegram_bot_token
        else LOCAL_BOT_TOKEN
    )
    return hashlib.sha256(b"citytrainers-hours-callbacks:" + token.encode()).digest()


def signature(settings: Settings, action: DecisionAction, log_id: int) -> str:
    """The HMAC over "<action value>:<log id>" (unchanged, so buttons already sent stay valid)."""
    message = f"{action.value}:{log_id}".encode()
    mac = hmac.new(_key(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:9]).decode()


def signed(settings: Settings, action: DecisionAction, log_id: int) -> str:
    """The packed callback data of a signed decision button."""
    return DecisionCb(
        action=action, log_id=log_id, signature=signature(settings, action, log_id)
    ).pack()


def valid(settings: Settings, data: DecisionCb) -> bool:
    expected = signature(settings, data.action, data.log_id)
    # as bytes: compare_digest refuses str with non-ASCII characters (forged data may have them)
    return hmac.compare_digest(data.signature.encode(), expected.encode())


def decision_buttons(settings: Settings, log_id: int) -> InlineKeyboardMarkup:
    return inline_choices(
        [
            (_("Confirm"), signed(settings, DecisionAction.CONFIRM, log_id)),
            (_("Adjust"), signed(settings, DecisionAction.ADJUST, log_id)),
            (_("Reject"), signed(settings, DecisionAction.REJECT, log_id)),
        ],
        columns=3,
    )


def day_text(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def status_text(status: LogStatus | str) -> str:
    texts: dict[str, str] = {
        LogStatus.PENDING: _("waiting for confirmation"),
        LogStatus.CONFIRMED: _("confirmed"),
        LogStatus.CORRECTED: _("adjusted"),
        LogStatus.REJECTED: _("rejected"),
    }
    return texts.get(status, status)


async def name_of(session: AsyncSession, person_id: int | None) -> str:
    found = await hours.person(session, person_id)
    name = found.first_name if found else None
    if found is not None and not name:
        name = await hours.display_name(session, found.id)
    return html.quote(name or _("someone"))


async def place_of(session: AsyncSession, entry: PracticeHours) -> str:
    """Where the hours were done: the organisation, and the opportunity's title for hours done
    at an opportunity (escaped)."""
    org = await hours.get_organisation(session, entry.organisation_id or 0)
    opp = await session.get(Opportunity, entry.opportunity_id) if entry.opportunity_id else None
    names = [n for n in (opp.title if opp else None, org.name if org else None) if n]
    return html.quote(", ".join(names) or "-")


async def log_card(session: AsyncSession, entry: PracticeHours) -> str:
    """Who, when, how long, what: the body of the supervisor's message."""
    card = _(
        "Hours of {name} at {place} (#{id})\nDate: {date}\nHours: {hours}\nWhat: {what}"
    ).format(
        name=await name_of(session, entry.person_id),
        place=await place_of(session, entry),
        id=entry.id,
        date=day_text(entry.work_date),
        hours=format_hours(entry.logged_minutes or entry.minutes),
        what=html.quote(entry.description or "-"),
    )
    if entry.kind == HoursKind.VOLUNTEER:
        card += "\n" + _("Kind: volunteer hours (as a Citytrainer)")
    return card


async def may_decide(session: AsyncSession, member: people.Member, entry: PracticeHours) -> bool:
    """A supervisor of the log's organisation or a coordinator of its programme; never the
    trainee who logged it."""
    if member.person.id == entry.person_id:
        return False
    if member.may(entry.programme_id, Role.COORDINATOR):
        return True
    return member.may(entry.programme_id, Role.SUPERVISOR) and (
        entry.organisation_id or -1
    ) in await hours.supervised_organisations(session, member.person.id)


async def already_text(session: AsyncSession, entry: PracticeHours) -> str:
    who = await name_of(session, entry.decided_by)
    if entry.status == LogStatus.REJECTED:
        return _("Already rejected by {name}.").format(name=who)
    if entry.status == LogStatus.CORRECTED:
        return _("Already adjusted by {name} to {hours} hours.").format(
            name=who, hours=format_hours(entry.minutes)
        )
    return _("Already confirmed by {name}.").format(name=who)


async def trainee_not_before(
    session: AsyncSession, person_id: int, now: dt.datetime
) -> dt.datetime:
    """No messages to minors at night (domain.reminders.deliver_at)."""
    found = await hours.person(session, person_id)
    age = None
    if found is not None and found.birth_date is not None:
        age = age_on(found.birth_date, now.date())
    tz = ZoneInfo(await hours.timezone_of(session, found.programme_id if found else 0))
    return deliver_at(now, age if found and found.birth_date else None, tz=tz)


async def apply_decision(
    session: AsyncSession,
    member: people.Member,
    log_id: int,
    status: LogStatus,
    now: dt.datetime,
    *,
    minutes: int | None = None,
    reason: str | None = None,
) -> tuple[bool, str]:
    """Decide, tell the trainee, check the 15 hours; (changed, text for the decider)."""
    entry = await hours.get_log(session, log_id)
    if entry is None:
        return False, _("These hours no longer exist.")
    if not await may_decide(session, member, entry):
        log.warning("hours %s: refused decision by person %s", log_id, member.person.id)
        return False, _("You cannot decide on these hours.")
    before = await hours.counted_minutes(session, entry.person_id)
    decision = await hours.decide(
        session,
        log_id,
        status=status,
        minutes=minutes,
        by=member.person.id,
        now=now,
        reason=reason,
    )
    assert decision is not None
    if decision.outcome is hours.Outcome.ALREADY:
        return False, await already_text(session, decision.log)
    entry = decision.log
    await notify_trainee(session, entry, now)
    await check_complete(session, entry, before, now)
    name = await name_of(session, entry.person_id)
    if status is LogStatus.CONFIRMED:
        text = _("Confirmed: {hours} hours of {name}. Thank you!")
    elif status is LogStatus.CORRECTED:
        text = _("Adjusted to {hours} hours for {name}. Thank you!")
    else:
        text = _("Rejected. {name} gets your reason.")
    return True, text.format(hours=format_hours(entry.minutes), name=name)


async def notify_trainee(session: AsyncSession, entry: PracticeHours, now: dt.datetime) -> None:
    date = day_text(entry.work_date)
    if entry.status == LogStatus.CONFIRMED:
        text = _("Your hours of {date} ({hours} hours) are confirmed.")
    elif entry.status == LogStatus.CORRECTED:
        text = _(
            "Your hours of {date} are adjusted to {hours} hours.\n"
            "Reason: {reason}\nType /uren to see your overview."
        )
    else:
        text = _(
            "Your hours of {date} are not confirmed.\n"
            "Reason: {reason}\nYou can log them again with /uren."
        )
    body = text.format(
        date=date, hours=format_hours(entry.minutes), reason=html.quote(entry.reason or "-")
    )
    await notify.to_person(
        session,
        entry.person_id,
        notify.message_payload(body),
        key=keys.outcome(entry.id, LogStatus(entry.status), entry.minutes, now),
        now=now,
        not_before=await trainee_not_before(session, entry.person_id, now),
    )


async def check_complete(
    session: AsyncSession, entry: PracticeHours, before: int, now: dt.datetime
) -> None:
    """Crossing 15 confirmed hours: tell the trainee and the coordinators (once a person)."""
    after = await hours.counted_minutes(session, entry.person_id)
    if not reached_requirement(before, after, RULES):
        return
    required = format_hours(RULES.required_minutes)
    await notify.to_person(
        session,
        entry.person_id,
        notify.message_payload(
            _(
                "Great news: you have {hours} confirmed practice hours! "
                "That completes your practice. The coordinator will contact you about "
                "your certificate."
            ).format(hours=required)
        ),
        key=keys.complete(entry.person_id),
        now=now,
        not_before=await trainee_not_before(session, entry.person_id, now),
    )
    await notify.to_coordinators(
        session,
        entry.programme_id,
        notify.message_payload(
            _("{name} has reached {hours} confirmed practice hours.").format(
                name=await name_of(session, entry.person_id), hours=required
            )
        ),
        key=keys.complete(entry.person_id),
        now=now,
    )


async def send_to_supervisors(
    session: AsyncSession,
    settings: Settings,
    entry: PracticeHours,
    now: dt.datetime,
    *,
    header: str = "",
    step: ReminderStep = ReminderStep.NONE,
    priority: Priority = Priority.INTERACTIVE,
) -> int:
    """One message per log to each supervisor of the organisation (replies are routed back)."""
    body = await _decision_body(session, entry, header)
    sent = 0
    for person_id in await hours.supervisor_ids(session, entry.organisation_id or 0):
        if person_id == entry.person_id:
            continue
        if await notify.to_person(
            session,
            person_id,
            notify.message_payload(body, decision_buttons(settings, entry.id)),
            key=keys.to_supervisor(entry.id, step, person_id),
            now=now,
            ref=keys.log_ref(entry.id),
            priority=priority,
        ):
            sent += 1
    return sent


async def _decision_body(session: AsyncSession, entry: PracticeHours, header: str) -> str:
    body = (header + "\n\n" if header else "") + await log_card(session, entry)
    return (
        body
        + "\n\n"
        + _(
            "Tap a button, or reply to this message: <i>ok</i> to confirm, or the right number "
            "of hours (for example <i>1,5</i>)."
        )
    )


async def send_for_decision(
    session: AsyncSession,
    settings: Settings,
    entry: PracticeHours,
    now: dt.datetime,
    *,
    header: str = "",
    step: ReminderStep = ReminderStep.NONE,
    priority: Priority = Priority.INTERACTIVE,
) -> int:
    """To the organisation's supervisors; for hours done at an opportunity that has no
    supervisor to ask (no organisation, or none with a supervisor), to the programme's
    coordinators, with the same signed buttons and reply route. (Placement logs keep going to
    supervisors only; the sweep escalates those.)"""
    sent = await send_to_supervisors(
        session, settings, entry, now, header=header, step=step, priority=priority
    )
    if sent or entry.opportunity_id is None:
        return sent
    return await notify.to_coordinators(
        session,
        entry.programme_id,
        notify.message_payload(
            await _decision_body(session, entry, header), decision_buttons(settings, entry.id)
        ),
        key=keys.to_coordinators(entry.id, step),
        now=now,
        ref=keys.log_ref(entry.id),
        priority=priority,
    )
