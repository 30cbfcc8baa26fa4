"""The figures the programme reports, for any programme and period (PROGRAMME.md, seed table).

Definitions (thresholds in `ImpactRules`; a period runs from `start` to `end`, both inclusive):
- trained: people whose Citytrainer certificate is dated in the period.
- practice hours in training: the confirmed practice minutes of the people trained in the period.
- trained to date: certified on or before `end`; the base for the activity figures below.
- active: a person trained to date with activity in the `active_window_months` (12) months
  ending on `end` (for an end of 31 Dec 2014: 1 Jan to 31 Dec 2014): confirmed effort on or after
  their certification, or an activity they organised that took place. Effort counted = the
  confirmed minutes in that window.
- structurally active: active with at least `structural_minutes_per_year` (80 h) in the window.
  The seed reports 28 people giving 2,240 h a year: 80 h each, i.e. "about 2 h a week" over the
  40 weeks of a season; so the threshold is 2 h a week x 40 weeks, not x 52.
- occasionally active: active but not structurally active.
  The seed's "still active 50% (100), 12 h a year each: 1,200 h" plus "structurally active 14% of
  the 200 (28): 2,240 h" adds up to its "total structural effort 3,440 h" only when the two groups
  are disjoint, so the seed's "still active" row is `occasionally_active` here and the total effort
  is the sum of both groups' minutes. `active` (both groups) is reported as well.
- participations: the participants of activities in the period that took place, summed; the seed's
  "participations in activities". activities organised: the number of those activities.
Only plausible data counts, whatever its source (`plausible_participants`, `plausible_minutes`):
a participant count below 0 or above `MAX_PARTICIPANTS` (10,000) counts as 0 participants (the
activity itself still counts); effort of fewer than 0 or more than `MAX_EFFORT_MINUTES` (200 h,
the most an after-activity report accepts) in one record is ignored. Nothing dated after today
counts (`storage.impact.figures` cuts the period with `Period.up_to`); which rows are approved and
confirmed data is decided there too.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MAX_PARTICIPANTS = 10_000
"""More participants than this at one activity is not a count, it is a typo (or worse)."""
MAX_EFFORT_MINUTES = 200 * 60
"""More minutes than this in one effort record (a day's volunteering, an activity with its
preparation) is not plausible; the after-activity report accepts at most 200 h."""


def plausible_participants(count: int) -> int:
    """The participants that count: `count`, or 0 when it is negative or absurdly large."""
    return count if 0 <= count <= MAX_PARTICIPANTS else 0


def plausible_minutes(minutes: int) -> bool:
    """Whether an effort record's minutes can be real (0 to `MAX_EFFORT_MINUTES`)."""
    return 0 <= minutes <= MAX_EFFORT_MINUTES


@dataclass(frozen=True)
class ImpactRules:
    """Thresholds of the activity figures."""

    active_window_months: int = 12
    """Activity within this many months up to the period's end makes a person "still active"."""
    structural_minutes_per_year: int = 80 * 60
    """Yearly effort from which someone is "structurally active": 2 h a week x 40 weeks."""


@dataclass(frozen=True)
class Period:
    """A reporting period; both ends inclusive."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def up_to(self, today: date) -> Period:
        """The period without the days after `today` (nothing in the future counts)."""
        return Period(self.start, min(self.end, today))


@dataclass(frozen=True)
class CitytrainerRecord:
    """A trained (or training) person as far as the figures are concerned."""

    person_id: int
    certified_on: date | None
    training_practice_minutes: int = 0
    """Confirmed practice minutes done during the training."""


@dataclass(frozen=True)
class EffortRecord:
    """Confirmed volunteer minutes of a person on a day (opportunities, own activities)."""

    person_id: int
    on: date
    minutes: int


@dataclass(frozen=True)
class ActivityRecord:
    """An activity organised by Citytrainers, with its after-activity report."""

    organiser_ids: frozenset[int]
    on: date
    participants: int = 0
    happened: bool = True


@dataclass(frozen=True)
class ImpactFigures:
    """The programme's figures for one period; minutes, so the bot formats hours."""

    trained: int
    practice_minutes_in_training: int
    trained_to_date: int
    active: int
    occasionally_active: int
    occasional_minutes_per_year: int
    structurally_active: int
    structural_minutes_per_year: int
    participations: int
    activities_organised: int

    @property
    def total_effort_minutes_per_year(self) -> int:
        """All yearly effort of the active: occasional plus structural."""
        return self.occasional_minutes_per_year + self.structural_minutes_per_year

    @property
    def occasional_average_minutes(self) -> int | None:
        """Average yearly minutes per occasionally active person (rounded), None when none."""
        if not self.occasionally_active:
            return None
        return round(self.occasional_minutes_per_year / self.occasionally_active)

    def share(self, count: int) -> float | None:
        """`count` as a share of the trained to date, None when nobody is trained."""
        return count / self.trained_to_date if self.trained_to_date else None


def impact_figures(
    period: Period,
    people: Iterable[CitytrainerRecord],
    efforts: Iterable[EffortRecord],
    activities: Iterable[ActivityRecord],
    rules: ImpactRules | None = None,
) -> ImpactFigures:
    """Compute the figures of `period` from plain records (see module docstring)."""
    rules = rules or ImpactRules()
    people = list(people)
    window = Period(_months_before(period.end, rules.active_window_months), period.end)
    certified = {
        p.person_id: p.certified_on
        for p in people
        if p.certified_on is not None and p.certified_on <= period.end
    }
    trained = [p for p in people if p.certified_on in period]
    minutes: dict[int, int] = defaultdict(int)
    active: set[int] = set()
    for effort in efforts:
        since = certified.get(effort.person_id)
        if (
            since is not None
            and effort.on in window
            and effort.on >= since
            and plausible_minutes(effort.minutes)
        ):
            minutes[effort.person_id] += effort.minutes
            active.add(effort.person_id)
    activities = list(activities)
    for activity in activities:
        if activity.happened and activity.on in window:
            active.update(
                pid for pid in activity.organiser_ids if _certified_by(certified, pid, activity.on)
            )
    structural = {pid for pid in active if minutes[pid] >= rules.structural_minutes_per_year}
    occasional = active - structural
    in_period = [a for a in activities if a.happened and a.on in period]
    return ImpactFigures(
        trained=len(trained),
        practice_minutes_in_training=sum(p.training_practice_minutes for p in trained),
        trained_to_date=len(certified),
        active=len(active),
        occasionally_active=len(occasional),
        occasional_minutes_per_year=sum(minutes[pid] for pid in occasional),
        structurally_active=len(structural),
        structural_minutes_per_year=sum(minutes[pid] for pid in structural),
        participations=sum(plausible_participants(a.participants) for a in in_period),
        activities_organised=len(in_period),
    )


def _months_before(end: date, months: int) -> date:
    """First day of the `months`-month window ending on `end` (inclusive)."""
    index = end.year * 12 + end.month - 1 - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(end.day, last_day)) + timedelta(days=1)


def _certified_by(certified: dict[int, date], person_id: int, day: date) -> bool:
    since = certified.get(person_id)
    return since is not None and since <= day
