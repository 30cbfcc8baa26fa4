"""One database session per update: opened here, committed once, never global.

The update id is recorded in the same transaction as the handler's changes (and its FSM
state, see storage.fsm), so an update whose handling was not committed is handled again when
Telegram delivers it again, and one that was committed is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock
from bot.kit.metrics import Metrics
from storage import updates

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        current: ContextVar[AsyncSession | None],
        clock: Clock,
        metrics: Metrics,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self._on_outbox = on_outbox
        self._sessions = sessions
        self._current = current
        self._clock = clock
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        bot_id = data["bot"].id
        async with self._sessions() as session:
            if await updates.is_processed(session, bot_id, event.update_id):
                self._metrics.duplicates.inc()
                log.info("update %s was handled before; skipped", event.update_id)
                return None
            token = self._current.set(session)
            data["db"] = session
            try:
                result = await handler(event, data)
                updates.mark_processed(session, bot_id, event.update_id, self._clock.now())
                await session.commit()
                if session.info.pop("outbox", False) and self._on_outbox is not None:
                    self._on_outbox()
                return result
            except IntegrityError:
                await session.rollback()
                if await updates.is_processed(session, bot_id, event.update_id):
                    self._metrics.duplicates.inc()
                    return None
                await self._record_failed(session, bot_id, event.update_id)
                raise
            except Exception:
                await session.rollback()
                await self._record_failed(session, bot_id, event.update_id)
                raise
            except BaseException:  # cancelled at shutdown: not recorded, so handled again
                await session.rollback()
                raise
            finally:
                self._current.reset(token)
                self._metrics.updates.labels(kind=event.event_type).inc()

    async def _record_failed(self, session: AsyncSession, bot_id: int, update_id: int) -> None:
        """A failing update is not retried forever: the error handler apologises once."""
        try:
            updates.mark_processed(session, bot_id, update_id, self._clock.now())
            await session.commit()
        except Exception:  # pragma: no cover - the database itself is down
            await session.rollback()
            log.exception("could not record failed update %s", update_id)
