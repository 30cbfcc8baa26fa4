"""Queries of Citytrainers' own activities: proposals, questions and answers, decisions, reports.

A decision is a conditional UPDATE (`status = submitted`), so two coordinators tapping at
once never both decide. The report is saved once (`reported_at IS NULL`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.opportunities.status import OpportunityStatus
from storage.activities.models import Activity, ActivityStatus, ProposalMessage, ThreadSide
from storage.opportunities.models import Opportunity

# the enums under their old names, for callers that used these constants
SUBMITTED, APPROVED, DECLINED = (
    ActivityStatus.SUBMITTED,
    ActivityStatus.APPROVED,
    ActivityStatus.DECLINED,
)
COORDINATOR_SIDE, CITYTRAINER_SIDE = ThreadSide.COORDINATOR, ThreadSide.CITYTRAINER


async def create(session: AsyncSession, **values: Any) -> Activity:
    activity = Activity(status=ActivityStatus.SUBMITTED, **values)
    session.add(activity)
    await session.flush()
    return activity


async def get(session: AsyncSession, activity_id: int) -> Activity | None:
    return await session.get(Activity, activity_id)


async def add_message(
    session: AsyncSession,
    activity_id: int,
    author_id: int | None,
    side: ThreadSide,
    text: str,
    now: dt.datetime,
) -> ProposalMessage:
    message = ProposalMessage(
        activity_id=activity_id, author_id=author_id, side=side, text=text, created_at=now
    )
    session.add(message)
    await session.flush()
    return message


async def thread(session: AsyncSession, activity_id: int) -> list[ProposalMessage]:
    return list(
        await session.scalars(
            select(ProposalMessage)
            .where(ProposalMessage.activity_id == activity_id)
            .order_by(ProposalMessage.id)
        )
    )


async def decide(
    session: AsyncSession,
    activity_id: int,
    status: ActivityStatus,
    by: int,
    reason: str | None,
    now: dt.datetime,
) -> bool:
    """Approve or decline a submitted proposal; False when it was decided already."""
    result = await session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.status == ActivityStatus.SUBMITTED)
        .values(status=status, decided_by=by, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    decided = bool(result.rowcount)  # type: ignore[attr-defined]
    if decided:
        activity = await session.get(Activity, activity_id)
        if activity is not None:
            await session.refresh(activity)
    return decided


async def upcoming(session: AsyncSession, programme_id: int, today: dt.date) -> list[Activity]:
    """Approved activities from today on, soonest first."""
    return list(
        await session.scalars(
            select(Activity)
            .where(
                Activity.programme_id == programme_id,
                Activity.status == ActivityStatus.APPROVED,
                Activity.planned_date >= today,
            )
            .order_by(Activity.planned_date, Activity.id)
        )
    )


async def dated_opportunities(
    session: AsyncSession, programme_id: int, now: dt.datetime
) -> list[Opportunity]:
    """Open opportunities with a date from now on (the helper requests of activities too)."""
    return list(
        await session.scalars(
            select(Opportunity)
            .where(
                Opportunity.programme_id == programme_id,
                Opportunity.status == OpportunityStatus.OPEN,
                Opportunity.starts_at.is_not(None),
                Opportunity.starts_at >= now,
            )
            .order_by(Opportunity.starts_at, Opportunity.id)
        )
    )


async def helper_request(session: AsyncSession, activity_id: int) -> Opportunity | None:
    return await session.scalar(
        select(Opportunity).where(Opportunity.activity_id == activity_id).limit(1)
    )


async def due_for_report(session: AsyncSession, before: dt.date) -> list[Activity]:
    """Approved activities planned before `before` whose organiser was not asked yet."""
    return list(
        await session.scalars(
            select(Activity)
            .where(
                Activity.status == ActivityStatus.APPROVED,
                Activity.planned_date < before,
                Activity.report_asked_at.is_(None),
                Activity.person_id.is_not(None),
            )
            .order_by(Activity.id)
            .limit(500)
        )
    )


async def save_report(
    session: AsyncSession,
    activity_id: int,
    *,
    happened: bool,
    participants: int | None,
    minutes: int | None,
    story: str | None,
    photo_file_id: str | None,
    now: dt.datetime,
) -> bool:
    """Store the after-activity report once; False when it was reported already."""
    result = await session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.reported_at.is_(None))
        .values(
            happened=happened,
            participants=participants,
            minutes=minutes,
            story=story,
            photo_file_id=photo_file_id,
            reported_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
