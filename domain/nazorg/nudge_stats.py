"""Which nudge wording brings people back: comeback rates with a Wilson 95% interval (issue 7).

Rules:
- A nudge "worked" when the person had activity within `EngagementRules.comeback_window_weeks`
  (4) after it was sent (strictly after the send moment, at most 4 weeks later).
- A nudge counts in the rate once it is decided: the person came back, or the window has ended by
  `now` without activity. Undecided ones are reported as `pending`, so a fresh batch does not look
  like failure.
- The interval is the Wilson score interval at 95% (z = 1.959964), which behaves well for small
  numbers and rates near 0 or 1; with no matured nudges there is no interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.nazorg.engagement import EngagementRules, NudgeStep, Wording

Z_95 = 1.959963984540054
"""Two-sided 95% normal quantile."""


@dataclass(frozen=True)
class Interval:
    """A proportion's confidence interval, both ends in [0, 1]."""

    low: float
    high: float


@dataclass(frozen=True)
class NudgeOutcome:
    """One sent nudge and the first activity after it, if any."""

    step: NudgeStep
    wording: Wording
    sent_at: datetime
    active_again_at: datetime | None


@dataclass(frozen=True)
class ComebackStat:
    """Per step and wording: nudged (matured), came back, still pending, rate and interval."""

    step: NudgeStep
    wording: Wording
    nudged: int
    came_back: int
    pending: int
    rate: float | None
    interval: Interval | None


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """Wilson score interval for `successes` out of `trials`; None when there are no trials."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and trials")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # exact ends at 0 and 1 (the formula gives them up to rounding)
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == trials else min(1.0, max(p, centre + half))
    return Interval(low, high)


def came_back(outcome: NudgeOutcome, rules: EngagementRules) -> bool:
    """True when activity followed the nudge within the comeback window."""
    if outcome.active_again_at is None:
        return False
    delay = outcome.active_again_at - outcome.sent_at
    return timedelta(0) < delay <= timedelta(weeks=rules.comeback_window_weeks)


def comeback_stats(
    outcomes: Iterable[NudgeOutcome], now: datetime, rules: EngagementRules | None = None
) -> tuple[ComebackStat, ...]:
    """One row per (step, wording) among the two message steps, in step then wording order."""
    rules = rules or EngagementRules()
    window = timedelta(weeks=rules.comeback_window_weeks)
    counts: dict[tuple[NudgeStep, Wording], list[int]] = {
        (step, wording): [0, 0, 0]
        for step in (NudgeStep.FIRST, NudgeStep.SECOND)
        for wording in Wording
    }
    for outcome in outcomes:
        cell = counts.setdefault((outcome.step, outcome.wording), [0, 0, 0])
        if came_back(outcome, rules):
            cell[0] += 1
            cell[1] += 1
        elif now - outcome.sent_at >= window:
            cell[0] += 1
        else:
            cell[2] += 1
    rows = []
    for (step, wording), (nudged, back, pending) in counts.items():
        rate = back / nudged if nudged else None
        rows.append(
            ComebackStat(step, wording, nudged, back, pending, rate, wilson_interval(back, nudged))
        )
    return tuple(rows)
