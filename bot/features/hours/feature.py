"""The practice-hours feature: routers, commands, menu, reply route and the reminder sweep.

Sweep: a pending log's supervisors are reminded after 3 and 7 days; after 10 days the log goes
to the coordinators, who can decide with the same (signed) buttons or by reply
(`domain.practice.next_reminder_step`; the step done is stored on the log and every message has
an idempotency key, so running the sweep twice sends nothing twice).
"""

from __future__ import annotations

import datetime as dt

from aiogram import Router
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.hours import handlers as supervisor
from bot.features.hours import keys
from bot.features.hours.common import RULES, decision_buttons, log_card, send_for_decision
from bot.features.hours.conversations import correct as hours_correct
from bot.features.hours.conversations import decide as hours_decide
from bot.features.hours.conversations import log_hours as hours_flow
from bot.features.hours.conversations import organisation
from bot.features.hours.conversations import placement as organisation_place
from bot.features.hours.conversations.log_hours import MENU_HOURS
from bot.kit import notify
from bot.kit.commands import CommandSpec
from bot.kit.config import Settings
from bot.kit.feature import Feature, FeatureDeps, MenuItem
from bot.kit.sweep import Sweep
from domain.hours.practice import ReminderStep, next_reminder_step
from domain.roles import Role
from storage.hours import queries as hours
from storage.outbox import Priority


def routers() -> list[Router]:
    return [
        supervisor.create_router(),
        organisation.create_router(),
        organisation_place.create_router(),
        hours_correct.create_router(),
        hours_decide.create_router(),
        hours_flow.create_router(),
    ]


def reminder_sweep(settings: Settings) -> Sweep:
    async def run(session: AsyncSession, now: dt.datetime) -> None:
        first = dt.timedelta(days=RULES.remind_after_days[0])
        for entry in await hours.pending_logs(session, now - first):
            step = next_reminder_step(
                entry.status,
                entry.created_at,
                ReminderStep(entry.reminder_step),
                now,
                RULES,
            )
            if step is None:
                continue
            if step is ReminderStep.ESCALATED:
                await notify.to_coordinators(
                    session,
                    entry.programme_id,
                    notify.message_payload(
                        _(
                            "These hours have been waiting for {days} days without an answer "
                            "from the supervisor. You can decide instead:"
                        ).format(days=(now - entry.created_at).days)
                        + "\n\n"
                        + await log_card(session, entry),
                        decision_buttons(settings, entry.id),
                    ),
                    key=keys.escalated(entry.id),
                    now=now,
                    ref=keys.log_ref(entry.id),
                    priority=Priority.REMINDER,
                )
            else:
                await send_for_decision(
                    session,
                    settings,
                    entry,
                    now,
                    header=_("Reminder: these hours are waiting for you since {date}.").format(
                        date=entry.created_at.strftime("%d-%m")
                    ),
                    step=step,
                    priority=Priority.REMINDER,
                )
            entry.reminder_step = int(step)

    return Sweep("hours_reminders", run)


def _sweeps(deps: FeatureDeps) -> list[Sweep]:
    return [reminder_sweep(deps.settings)]


TRAINEES = frozenset({Role.PARTICIPANT, Role.CITYTRAINER})

FEATURE = Feature(
    name="hours",
    routers=routers,
    commands=(
        CommandSpec("uren", __("Log and see your practice hours")),
        CommandSpec("begeleiden", __("Hours waiting for you"), frozenset({Role.SUPERVISOR})),
        CommandSpec(
            "organisatie", __("Organisations and supervisors"), frozenset({Role.COORDINATOR})
        ),
        CommandSpec("corrigeer", __("Correct confirmed hours"), frozenset({Role.COORDINATOR})),
    ),
    menu=(MenuItem(MENU_HOURS, roles=TRAINEES),),
    replies={keys.KIND: hours_decide.answer_by_reply},
    sweeps=_sweeps,
)
