"""/status for coordinators: is the bot healthy, is anything stuck in the outbox?"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.clock import Clock
from bot.kit.filters import HasRole
from bot.kit.keyboards import MENU_STATUS
from domain.roles import Role
from storage import outbox, people
from storage.models import LOST_STATUSES


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.COORDINATOR))
    router.message.register(status, Command("status"))
    router.message.register(status, F.text == MENU_STATUS)
    return router


async def status(message: Message, db: AsyncSession, clock: Clock, member: people.Member) -> None:
    """The coordinator's own programme only (every role sees only its own programme)."""
    stats = await outbox.stats(db, clock.now(), member.programme_id)
    counts = stats.by_status
    await message.answer(
        _(
            "<b>Bot status</b>\n"
            "Messages waiting: {pending} (oldest {minutes} min)\n"
            "Sent: {sent}\n"
            "Not reachable: {unreachable}\n"
            "Failed: {failed}"
        ).format(
            pending=stats.pending,
            minutes=int(stats.oldest_pending_seconds // 60),
            sent=counts.get("sent", 0),
            unreachable=counts.get("unreachable", 0),
            failed=sum(counts.get(status.value, 0) for status in LOST_STATUSES),
        )
    )
