"""aiogram FSM storage in the database, so conversations survive restarts.

Inside an update the state is written through the update's own session (see
`current_session`), so a handler's changes and its new conversation state commit together.
Outside an update (or before the session exists) it uses a short session of its own.

Conversation state has a lifetime (`storage.privacy.CONVERSATION_LIFETIME`, counted from the
last change): older state reads as empty, is replaced when written, and the retention sweep
deletes it, so the answers of an abandoned flow do not stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.privacy import CONVERSATION_LIFETIME

StateType = str | State | None


class DbStorage(BaseStorage):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        current_session: ContextVar[AsyncSession | None],
        now: Callable[[], dt.datetime],
        key_builder: KeyBuilder | None = None,
        lifetime: dt.timedelta = CONVERSATION_LIFETIME,
    ) -> None:
        self._sessions = sessions
        self._current = current_session
        self._now = now
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._lifetime = lifetime

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        session = self._current.get()
        if session is not None:
            yield session
            await session.flush()
            return
        async with self._sessions.begin() as own:
            yield own

    async def _record(self, session: AsyncSession, key: str) -> FsmRecord | None:
        return await session.scalar(select(FsmRecord).where(FsmRecord.key == key))

    def _expired(self, record: FsmRecord) -> bool:
        return record.updated_at <= self._now() - self._lifetime

    async def _live(self, session: AsyncSession, key: str) -> FsmRecord | None:
        record = await self._record(session, key)
        return None if record is None or self._expired(record) else record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session() as session:
            record = await self._live(session, self._keys.build(key))
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as session:
            record = await self._live(session, self._keys.build(key))
            return dict(record.data) if record and record.data else {}

    async def _write(self, key: StorageKey, **values: Any) -> None:
        built = self._keys.build(key)
        async with self._session() as session:
            record = await self._record(session, built)
            if record is None:
                if not any(values.values()):
                    return
                record = FsmRecord(key=built, state=None, data={}, updated_at=self._now())
                session.add(record)
            elif self._expired(record):  # a new conversation: nothing of the old one stays
                record.state, record.data = None, {}
            for name, value in values.items():
                setattr(record, name, value)
            record.updated_at = self._now()
            if record.state is None and not record.data and inspect(record).persistent:
                await session.delete(record)

    async def close(self) -> None:
        return None
