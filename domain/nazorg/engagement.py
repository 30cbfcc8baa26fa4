"""Nazorg: when a Citytrainer counts as quiet, and which nudge is due (issue 7).

Rules (thresholds in `EngagementRules`):
- Last activity is the latest of the timestamps the caller passes: confirmed hours, opportunities
  joined and attended, activities organised or reported, and replies to a nudge (any of the three
  buttons, including "Nu even niet"). With no activity at all, the certification moment counts.
- Quiet: no activity for `quiet_after_weeks` (8). Only certified Citytrainers are considered;
  trainees in the course have their own reminders.
- The cycle is made of the nudge records sent after the last activity; records from before it
  belong to an earlier, finished cycle. So becoming active ends a cycle without any reset, and a
  later quiet spell starts a new one.
  1. quiet and no step yet: `SEND_FIRST`;
  2. `second_nudge_after_weeks` (4) after the first nudge: `SEND_SECOND`;
  3. `follow_up_after_weeks` (4) after the second nudge: `ADD_TO_FOLLOW_UP` (the coordinator's
     "persoonlijk benaderen" list); after that nothing more is automatic.
- Someone who cannot be reached (blocked the bot) skips the messages and goes to the follow-up list
  when quiet.
- Nothing is due while paused (until the end of `paused_until`, a local date: the pause includes
  that day), after "Ik wil stoppen", or when nudges are switched off in /instellingen.
  The quiet clock keeps running during a pause, so a 3-month pause ends with the first nudge.
- `next_nudge_step` depends only on its inputs: once the returned step is recorded, the same call
  returns NOTHING, so a sweep run twice sends nothing twice.
- Wordings: each step has wording A or B, assigned from a random number u in [0, 1) passed in:
  B when u < `share_b` (0.5), else A.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class NudgeStep(StrEnum):
    """Steps of the nudge cycle, as recorded."""

    FIRST = "first"
    SECOND = "second"
    FOLLOW_UP = "follow_up"


class NudgeDecision(StrEnum):
    """What the sweep should do for one person now."""

    NOTHING = "nothing"
    SEND_FIRST = "send_first"
    SEND_SECOND = "send_second"
    ADD_TO_FOLLOW_UP = "add_to_follow_up"


class Wording(StrEnum):
    """The two wordings of a nudge step."""

    A = "a"
    B = "b"


class ReplyAnswer(StrEnum):
    """A Citytrainer's answer to a nudge, as recorded. Every answer counts as activity; only
    `AGAIN` counts as coming back in the nudge figures."""

    AGAIN = "again"
    LATER = "later"
    STOP = "stop"


@dataclass(frozen=True)
class EngagementRules:
    """Per-programme nazorg thresholds."""

    quiet_after_weeks: int = 8
    second_nudge_after_weeks: int = 4
    follow_up_after_weeks: int = 4
    comeback_window_weeks: int = 4
    """A nudge "worked" when the person became active within this many weeks of it."""
    share_b: float = 0.5
    """Share of people who get wording B."""


@dataclass(frozen=True)
class NudgeRecord:
    """A step of a nudge cycle that has been carried out."""

    step: NudgeStep
    at: datetime
    wording: Wording | None = None


@dataclass(frozen=True)
class NudgeSubject:
    """What the sweep knows about one person."""

    certified_at: datetime | None
    """None for people who are not (yet) Citytrainers: they are never nudged."""
    last_activity: datetime | None
    nudges: Sequence[NudgeRecord] = ()
    paused_until: date | None = None
    today: date | None = None
    """The programme-local date of `now`, needed only when `paused_until` is set."""
    stopped: bool = False
    nudges_off: bool = False
    reachable: bool = True


def last_activity(timestamps: Iterable[datetime | None]) -> datetime | None:
    """The latest of the given activity moments (None entries ignored), or None."""
    present = [t for t in timestamps if t is not None]
    return max(present) if present else None


def quiet_since(subject: NudgeSubject) -> datetime | None:
    """The moment the quiet clock starts: last activity, else certification."""
    return subject.last_activity or subject.certified_at


def is_quiet(subject: NudgeSubject, now: datetime, rules: EngagementRules | None = None) -> bool:
    """True for a Citytrainer without activity for `quiet_after_weeks`."""
    rules = rules or EngagementRules()
    since = quiet_since(subject)
    if subject.certified_at is None or since is None:
        return False
    return now - since >= timedelta(weeks=rules.quiet_after_weeks)


def current_cycle(subject: NudgeSubject) -> list[NudgeRecord]:
    """Nudge records of the running cycle (after the last activity), oldest first."""
    since = quiet_since(subject)
    records = [n for n in subject.nudges if since is None or n.at > since]
    return sorted(records, key=lambda n: n.at)


def _paused(subject: NudgeSubject) -> bool:
    if subject.paused_until is None:
        return False
    if subject.today is None:
        raise ValueError("today is needed when paused_until is set")
    return subject.today <= subject.paused_until


def next_nudge_step(
    subject: NudgeSubject, now: datetime, rules: EngagementRules | None = None
) -> NudgeDecision:
    """What is due for this person at `now` (see module docstring)."""
    rules = rules or EngagementRules()
    if subject.stopped or subject.nudges_off or _paused(subject):
        return NudgeDecision.NOTHING
    if not is_quiet(subject, now, rules):
        return NudgeDecision.NOTHING
    done = {n.step: n for n in current_cycle(subject)}
    if NudgeStep.FOLLOW_UP in done:
        return NudgeDecision.NOTHING
    if not subject.reachable:
        return NudgeDecision.ADD_TO_FOLLOW_UP
    first, second = done.get(NudgeStep.FIRST), done.get(NudgeStep.SECOND)
    if first is None:
        return NudgeDecision.SEND_FIRST
    if second is None:
        if now - first.at >= timedelta(weeks=rules.second_nudge_after_weeks):
            return NudgeDecision.SEND_SECOND
        return NudgeDecision.NOTHING
    if now - second.at >= timedelta(weeks=rules.follow_up_after_weeks):
        return NudgeDecision.ADD_TO_FOLLOW_UP
    return NudgeDecision.NOTHING


def assign_wording(u: float, rules: EngagementRules | None = None) -> Wording:
    """Wording for a random number `u` in [0, 1): B when u < share_b, else A."""
    rules = rules or EngagementRules()
    if not 0.0 <= u < 1.0:
        raise ValueError("u must be in [0, 1)")
    return Wording.B if u < rules.share_b else Wording.A
