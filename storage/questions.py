"""Questions people ask the coordinators, and the answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Question


async def add_question(
    session: AsyncSession, programme_id: int, person_id: int, text: str, now: dt.datetime
) -> Question:
    question = Question(programme_id=programme_id, person_id=person_id, text=text, created_at=now)
    session.add(question)
    await session.flush()
    return question


async def get_question(session: AsyncSession, question_id: int) -> Question | None:
    return await session.get(Question, question_id)


async def ref_of_sent_message(session: AsyncSession, chat_id: str, message_id: int) -> str | None:
    """What a bot message we sent through the outbox was about (for replies to it)."""
    return await session.scalar(
        select(OutboxMessage.ref).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == message_id
        )
    )
