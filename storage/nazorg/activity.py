"""Where a Citytrainer's "last activity" comes from (issue 7), one source per table.

Each source is a SELECT of (person_id, at), from the other features' models imported plainly:
- confirmed or corrected practice/volunteer hours: `PracticeHours.decided_at`;
- opportunities joined and attended: `OpportunitySignup.attended_at` (else `joined_at`);
- activities organised (proposal approved: `Activity.decided_at`) or reported (`reported_at`);
- replies to a nudge (`NazorgReply.at`, every answer).
`comeback_sources` is the same without "Nu even niet" and "Ik wil stoppen" replies: what counts as
coming back for the nudge figures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select, true, union_all

from domain.hours.practice import LogStatus
from domain.nazorg.engagement import ReplyAnswer
from storage.activities.models import Activity
from storage.hours.models import PracticeHours
from storage.nazorg.models import NazorgReply
from storage.opportunities.models import OpportunitySignup

CONFIRMED = (LogStatus.CONFIRMED, LogStatus.CORRECTED)


def hours_source() -> Select[Any, Any]:
    return select(
        PracticeHours.person_id.label("person_id"), PracticeHours.decided_at.label("at")
    ).where(PracticeHours.status.in_(CONFIRMED), PracticeHours.decided_at.is_not(None))


def attended_source() -> Select[Any, Any]:
    at = func.coalesce(OpportunitySignup.attended_at, OpportunitySignup.joined_at)
    return select(OpportunitySignup.person_id.label("person_id"), at.label("at")).where(
        OpportunitySignup.attended.is_(True)
    )


def activity_sources() -> list[Select[Any, Any]]:
    return [
        select(Activity.person_id.label("person_id"), Activity.decided_at.label("at")).where(
            Activity.status == "approved",
            Activity.decided_at.is_not(None),
            Activity.person_id.is_not(None),
        ),
        select(Activity.person_id.label("person_id"), Activity.reported_at.label("at")).where(
            Activity.reported_at.is_not(None), Activity.person_id.is_not(None)
        ),
    ]


def reply_source(comeback_only: bool = False) -> Select[Any, Any]:
    query = select(NazorgReply.person_id.label("person_id"), NazorgReply.at.label("at"))
    if comeback_only:
        query = query.where(NazorgReply.answer == ReplyAnswer.AGAIN)
    return query


def _sources(comeback_only: bool) -> list[Select[Any, Any]]:
    return [hours_source(), attended_source(), *activity_sources(), reply_source(comeback_only)]


def activity_events(comeback_only: bool = False) -> Any:
    """A subquery of every activity event: columns person_id, at."""
    return union_all(*_sources(comeback_only)).subquery("activity_event")


def last_activity_by_person(person_filter: Any = None) -> Any:
    """Subquery (person_id, last_at): the latest activity, restricted by `person_filter`."""
    events = activity_events()
    cond = person_filter(events.c.person_id) if person_filter is not None else true()
    return (
        select(events.c.person_id, func.max(events.c.at).label("last_at"))
        .where(and_(cond))
        .group_by(events.c.person_id)
        .subquery("last_activity")
    )
