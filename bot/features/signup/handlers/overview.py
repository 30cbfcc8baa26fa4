"""Coordinators: open signups (/aanmeldingen), the groups and their mix (/groepen), and group
invitation links (/uitnodiging)."""

from __future__ import annotations

import asyncio
import io

import segno
from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.signup import notices
from bot.features.signup.callbacks import DecisionAction, InviteAction, InviteCb, SignupDecision
from bot.features.signup.labels import MIX_NAMES, STATUS, label
from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import inline_choices
from domain.dates import local_today
from domain.roles import Role
from domain.signup.group_mix import MixCell
from domain.signup.status import SignupStatus
from storage import people
from storage.course.models import Cohort
from storage.models import Person
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.types import valid_id

INVITE_VALID_DAYS = 30


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.COORDINATOR))
    router.callback_query.filter(HasRole(Role.COORDINATOR))
    router.message.register(open_signups, Command("aanmeldingen"))
    router.message.register(groups, Command("groepen"))
    router.message.register(invite, Command("uitnodiging"))
    router.callback_query.register(
        show_signup, SignupDecision.filter(F.action == DecisionAction.SHOW)
    )
    router.callback_query.register(
        invite_uses, InviteCb.filter(F.action == InviteAction.CHOOSE_USES)
    )
    router.callback_query.register(invite_link, InviteCb.filter(F.action == InviteAction.MAKE_LINK))
    return router


async def open_signups(message: Message, db: AsyncSession, member: people.Member) -> None:
    pending = await signups.pending_for_coordinator(db, member.programme_id)
    if not pending:
        await message.answer(_("There are no open signups."))
        return
    buttons = []
    lines = []
    for signup in pending:
        person = await db.get(Person, signup.person_id)
        name = html.quote(person.first_name or "?") if person else "?"
        lines.append(f"#{signup.id} {name}: {STATUS[signup.status]}")
        if signup.status == SignupStatus.AWAITING_CONSENT:
            buttons.append(
                (
                    _("#{id}: paper consent").format(id=signup.id),
                    SignupDecision(action=DecisionAction.PAPER, signup=signup.id).pack(),
                )
            )
        else:
            buttons.append(
                (
                    _("#{id}: decide").format(id=signup.id),
                    SignupDecision(action=DecisionAction.SHOW, signup=signup.id).pack(),
                )
            )
    await message.answer(
        _("Open signups:\n{lines}").format(lines="\n".join(lines)),
        reply_markup=inline_choices(buttons, 2),
    )


async def show_signup(
    query: CallbackQuery, callback_data: SignupDecision, db: AsyncSession, member: people.Member
) -> None:
    signup = await signups.get_signup(db, callback_data.signup)
    person = await db.get(Person, signup.person_id) if signup else None
    if signup is None or person is None or not member.may(signup.programme_id, Role.COORDINATOR):
        await query.answer(_("This signup no longer exists."), show_alert=True)
        return
    await query.answer()
    assert query.bot is not None
    text, keyboard = await notices.signup_card(db, signup, person)
    await query.bot.send_message(query.from_user.id, text, reply_markup=keyboard)


def _cells(cells: tuple[MixCell, ...], question: str) -> str:
    parts = [
        f"{label(question, c.category)} {'&lt;5' if c.count is None else c.count}" for c in cells
    ]
    return ", ".join(parts) or "-"


async def groups(message: Message, db: AsyncSession, clock: Clock, member: people.Member) -> None:
    cohorts = await signup_groups.cohorts(db, member.programme_id)
    if not cohorts:
        await message.answer(_("There are no groups yet."))
        return
    now = clock.now()
    zone = await notices._zone(db, member.programme_id)
    blocks = []
    for cohort in cohorts:
        load = await signup_groups.load(db, cohort, now)
        mix = await signup_groups.group_mix(db, cohort.id, local_today(now, zone))
        lines = [
            _("<b>{group}</b> ({track}): {placed}/{capacity} placed, {waiting} waiting").format(
                group=html.quote(cohort.name),
                track=label("track", cohort.track),
                placed=load.placed,
                capacity=cohort.capacity,
                waiting=load.waiting,
            )
        ]
        for key, cells in mix.items():
            question = {"age": "age", "gender": "gender", "school": "school", "track": "track"}[key]
            lines.append(f"{MIX_NAMES[key]}: {_cells(cells, question)}")
        blocks.append("\n".join(lines))
    await message.answer(
        "\n\n".join(blocks) + "\n\n" + _("Groups of fewer than 5 people are shown as &lt;5.")
    )


async def invite(message: Message, db: AsyncSession, member: people.Member) -> None:
    cohorts = await signup_groups.cohorts(db, member.programme_id)
    if not cohorts:
        await message.answer(_("There are no groups yet."))
        return
    await message.answer(
        _("For which group do you want an invitation link?"),
        reply_markup=inline_choices(
            [
                (c.name, InviteCb(action=InviteAction.CHOOSE_USES, cohort=c.id).pack())
                for c in cohorts
            ]
        ),
    )


async def invite_uses(
    query: CallbackQuery, callback_data: InviteCb, db: AsyncSession, member: people.Member
) -> None:
    cohort = await db.get(Cohort, callback_data.cohort) if valid_id(callback_data.cohort) else None
    if cohort is None or not member.may(cohort.programme_id, Role.COORDINATOR):
        await query.answer(_("This group no longer exists."), show_alert=True)
        return
    await query.answer()
    assert query.bot is not None

    def uses(max_uses: int) -> str:
        return InviteCb(
            action=InviteAction.MAKE_LINK, max_uses=max_uses, cohort=callback_data.cohort
        ).pack()

    await query.bot.send_message(
        query.from_user.id,
        _("How many people may use the link? It works for {days} days.").format(
            days=INVITE_VALID_DAYS
        ),
        reply_markup=inline_choices(
            [("1", uses(1)), ("15", uses(15)), (_("No limit"), uses(0))],
            columns=3,
        ),
    )


async def invite_link(
    query: CallbackQuery,
    callback_data: InviteCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member,
    bot: Bot,
) -> None:
    cohort = await db.get(Cohort, callback_data.cohort)
    if cohort is None or not member.may(cohort.programme_id, Role.COORDINATOR):
        await query.answer(_("This group no longer exists."), show_alert=True)
        return
    await query.answer()
    token = await signups.create_invite(
        db,
        member.programme_id,
        cohort.id,
        member.person.id,
        clock.now(),
        valid_days=INVITE_VALID_DAYS,
        max_uses=callback_data.max_uses or None,
    )
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=g-{token}"
    await bot.send_message(
        query.from_user.id,
        _(
            "Invitation link for group {group}:\n{link}\n\nShare it, or print the QR code "
            "below. Whoever opens it signs up with this group chosen."
        ).format(group=html.quote(cohort.name), link=link),
    )
    qr = await asyncio.to_thread(invite_qr_png, link)  # ~10 ms of CPU: not on the event loop
    await bot.send_photo(
        query.from_user.id,
        BufferedInputFile(qr, filename=f"uitnodiging-{cohort.id}.png"),
        caption=_(
            "QR code for group {group}. Print it on a flyer or poster: whoever scans it "
            "signs up with this group chosen."
        ).format(group=html.quote(cohort.name)),
    )


def invite_qr_png(link: str) -> bytes:
    """A PNG QR code of `link`, large enough to print on a flyer (medium error correction).

    Blocking (CPU-bound, thread-safe): handlers run it with `asyncio.to_thread`."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()
