"""A coordinator chooses or changes the course leaders of a group, or gets an invite link for a
new one (the link itself is redeemed in `leader_invite`).

```mermaid
stateDiagram-v2
    [*] --> leaders: "Course leader" under a group (/planning), or after /nieuwegroep
    leaders --> pick: "Choose a course leader"
    pick --> leaders: a course leader of the programme, or "I lead it myself" (told by message)
    leaders --> leaders: "Remove <name>" (told by message)
    leaders --> [*]: "Invite a new course leader" (a link: once, for 7 days, this group only)
    pick --> [*]: a person or group that was not offered: "This button no longer works"
```

Every tap is checked again: the group must belong to a programme the coordinator coordinates
(`Member.may` with the group's programme), a chosen person must be one the buttons offer
(`course.may_lead`), and a removed one must lead the group now.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import LeaderAction, LeaderCb
from bot.features.course.common import person_name
from bot.features.course.keys import leader_changed_key
from bot.kit import notify
from bot.kit.callbacks import stale_button
from bot.kit.clock import Clock
from bot.kit.keyboards import inline_choices
from domain.roles import Role
from storage import people
from storage.course import queries as course
from storage.course.models import Cohort
from storage.models import Person

log = logging.getLogger(__name__)

MAX_CHOICES = 20
"""Course leaders offered at most (a programme has a handful)."""


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show, LeaderCb.filter(F.action == LeaderAction.SHOW))
    router.callback_query.register(pick, LeaderCb.filter(F.action == LeaderAction.PICK))
    router.callback_query.register(choose, LeaderCb.filter(F.action == LeaderAction.SET))
    router.callback_query.register(remove, LeaderCb.filter(F.action == LeaderAction.REMOVE))
    router.callback_query.register(invite, LeaderCb.filter(F.action == LeaderAction.INVITE))
    return router


def leaders_button(cohort_id: int) -> tuple[str, str]:
    """The "Course leader" button under a group (for coordinators)."""
    return _("Course leader"), LeaderCb(action=LeaderAction.SHOW, cohort=cohort_id).pack()


async def _leaders(db: AsyncSession, cohort: Cohort) -> list[Person]:
    found = [await db.get(Person, pid) for pid in await course.listed_leaders(db, cohort.id)]
    return [p for p in found if p is not None]


async def leader_names(db: AsyncSession, cohort: Cohort) -> str | None:
    """The names of the group's course leaders, None when it has none."""
    names = [person_name(p) for p in await _leaders(db, cohort)]
    return html.quote(", ".join(names)) if names else None


async def _view(db: AsyncSession, cohort: Cohort) -> tuple[str, InlineKeyboardMarkup]:
    leaders = await _leaders(db, cohort)
    group = html.quote(cohort.name)
    if leaders:
        text = _("Course leader of <b>{group}</b>: {names}.").format(
            group=group, names=html.quote(", ".join(person_name(p) for p in leaders))
        )
    else:
        text = _("Group <b>{group}</b> has no course leader yet.").format(group=group)
    choices = [
        (_("Choose a course leader"), LeaderCb(action=LeaderAction.PICK, cohort=cohort.id).pack()),
        (
            _("Invite a new course leader"),
            LeaderCb(action=LeaderAction.INVITE, cohort=cohort.id).pack(),
        ),
    ]
    choices += [
        (
            _("Remove {name}").format(name=person_name(p)),
            LeaderCb(action=LeaderAction.REMOVE, cohort=cohort.id, person=p.id).pack(),
        )
        for p in leaders
    ]
    return text, inline_choices(choices)


async def _group(
    query: CallbackQuery, callback_data: LeaderCb, db: AsyncSession, member: people.Member | None
) -> Cohort | None:
    """The tapped group, when the sender coordinates its programme; otherwise the button is
    refused as stale (a forged id, another programme's group, or no longer a coordinator)."""
    cohort = await course.get_cohort(db, callback_data.cohort)
    if member is None or cohort is None or not member.may(cohort.programme_id, Role.COORDINATOR):
        log.info("course leader button refused: %s", callback_data.action.value)
        await stale_button(query)
        return None
    return cohort


async def show(
    query: CallbackQuery, callback_data: LeaderCb, db: AsyncSession, member: people.Member | None
) -> None:
    cohort = await _group(query, callback_data, db, member)
    if cohort is None:
        return
    text, markup = await _view(db, cohort)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


async def pick(
    query: CallbackQuery, callback_data: LeaderCb, db: AsyncSession, member: people.Member | None
) -> None:
    cohort = await _group(query, callback_data, db, member)
    if cohort is None or member is None:
        return
    leading = set(await course.listed_leaders(db, cohort.id))
    offered = [
        (person_name(p), LeaderCb(action=LeaderAction.SET, cohort=cohort.id, person=p.id).pack())
        for p in await course.course_leaders(db, cohort.programme_id)
        if p.id not in leading and p.id != member.person.id
    ][:MAX_CHOICES]
    if member.person.id not in leading:
        offered.append(
            (
                _("I lead it myself"),
                LeaderCb(action=LeaderAction.SET, cohort=cohort.id, person=member.person.id).pack(),
            )
        )
    offered.append(
        (
            _("Invite a new course leader"),
            LeaderCb(action=LeaderAction.INVITE, cohort=cohort.id).pack(),
        )
    )
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "Who leads <b>{group}</b>? You can choose a course leader of your programme. "
                "Someone new? Send them an invite link."
            ).format(group=html.quote(cohort.name)),
            reply_markup=inline_choices(offered),
        )


async def choose(
    query: CallbackQuery,
    callback_data: LeaderCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    cohort = await _group(query, callback_data, db, member)
    if cohort is None or member is None:
        return
    person_id = callback_data.person
    if not await course.may_lead(db, cohort.programme_id, person_id, member.person.id):
        log.info("course leader refused: not one that was offered")
        await stale_button(query)
        return
    person = await db.get(Person, person_id)
    assert person is not None  # may_lead found them
    name = html.quote(person_name(person))
    now = clock.now()
    await people.grant_role(
        db, person_id, cohort.programme_id, Role.COURSE_LEADER, now, granted_by=member.person.id
    )
    if not await course.add_leader(db, cohort.id, person_id, now):
        await query.answer(_("{name} already leads this group.").format(name=person_name(person)))
        return
    done = _("{name} now leads <b>{group}</b>.").format(name=name, group=html.quote(cohort.name))
    if person_id != member.person.id:
        reached = await notify.to_person(
            db,
            person_id,
            notify.message_payload(
                _(
                    "You are now course leader of group <b>{group}</b>.\n\n"
                    "/planning: the sessions of your group; move or cancel one.\n"
                    "/aanwezigheid: register who was there."
                ).format(group=html.quote(cohort.name))
            ),
            key=leader_changed_key(cohort.id, person_id, "added", now),
            now=now,
        )
        done += " " + (
            _("They get a message.") if reached else _("They cannot be reached in the chat.")
        )
    await _after_change(query, db, cohort, done)


async def remove(
    query: CallbackQuery,
    callback_data: LeaderCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    cohort = await _group(query, callback_data, db, member)
    if cohort is None or member is None:
        return
    person_id = callback_data.person
    if person_id not in await course.listed_leaders(db, cohort.id):
        log.info("course leader removal refused: not a leader of the group")
        await stale_button(query)
        return
    await course.remove_leader(db, cohort.id, person_id)
    person = await db.get(Person, person_id)
    name = html.quote(person_name(person)) if person else "?"
    now = clock.now()
    done = _("{name} no longer leads <b>{group}</b>.").format(
        name=name, group=html.quote(cohort.name)
    )
    if person_id != member.person.id:
        await notify.to_person(
            db,
            person_id,
            notify.message_payload(
                _(
                    "You no longer lead group <b>{group}</b>. Questions? Ask the coordinator."
                ).format(group=html.quote(cohort.name))
            ),
            key=leader_changed_key(cohort.id, person_id, "removed", now),
            now=now,
        )
    await _after_change(query, db, cohort, done)


async def _after_change(query: CallbackQuery, db: AsyncSession, cohort: Cohort, done: str) -> None:
    """Confirm a change with the group's leaders as they are now (and their buttons)."""
    text, markup = await _view(db, cohort)
    await query.answer()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest as exc:  # its buttons were already gone
            if "not modified" not in str(exc):
                raise
        await query.message.answer(done + "\n\n" + text, reply_markup=markup)


async def invite(
    query: CallbackQuery,
    callback_data: LeaderCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
    bot: Bot,
) -> None:
    cohort = await _group(query, callback_data, db, member)
    if cohort is None or member is None:
        return
    payload = await course.create_leader_invite(db, cohort, member.person.id, clock.now())
    me = await bot.me()
    days = course.LEADER_INVITE_TTL.days
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "Send this link to the new course leader of <b>{group}</b>. "
                "It works once and for {days} days:\n\n{link}\n\n"
                "Whoever opens it becomes course leader of this group only: they see its "
                "sessions and attendance, not the signups or the figures."
            ).format(
                group=html.quote(cohort.name),
                days=days,
                link=f"https://t.me/{me.username}?start={payload}",
            )
        )
