"""Nazorg: quiet Citytrainers, the nudge cycle, wordings and comeback statistics (issue 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.nazorg.engagement import (
    EngagementRules,
    NudgeDecision,
    NudgeRecord,
    NudgeStep,
    NudgeSubject,
    Wording,
    assign_wording,
    current_cycle,
    is_quiet,
    last_activity,
    next_nudge_step,
)
from domain.nazorg.nudge_stats import NudgeOutcome, comeback_stats, wilson_interval

CERT = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
ACTIVE = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
W = timedelta(weeks=1)


def subject(**kw: object) -> NudgeSubject:
    fields: dict[str, object] = {"certified_at": CERT, "last_activity": ACTIVE}
    fields.update(kw)
    return NudgeSubject(**fields)  # type: ignore[arg-type]


def record(decision: NudgeDecision, at: datetime) -> NudgeRecord:
    step = {
        NudgeDecision.SEND_FIRST: NudgeStep.FIRST,
        NudgeDecision.SEND_SECOND: NudgeStep.SECOND,
        NudgeDecision.ADD_TO_FOLLOW_UP: NudgeStep.FOLLOW_UP,
    }[decision]
    return NudgeRecord(step, at, Wording.A)


def test_last_activity_is_latest() -> None:
    assert last_activity([None, CERT, ACTIVE, None]) == ACTIVE
    assert last_activity([]) is None


def test_quiet_after_eight_weeks() -> None:
    s = subject()
    assert not is_quiet(s, ACTIVE + 8 * W - timedelta(seconds=1))
    assert is_quiet(s, ACTIVE + 8 * W)
    assert not is_quiet(subject(certified_at=None), ACTIVE + 100 * W)
    never_active = subject(last_activity=None)
    assert is_quiet(never_active, CERT + 8 * W)


def test_full_cycle_then_silence() -> None:
    now = ACTIVE + 8 * W
    s = subject()
    assert next_nudge_step(s, now - timedelta(days=1)) is NudgeDecision.NOTHING
    assert next_nudge_step(s, now) is NudgeDecision.SEND_FIRST
    s = subject(nudges=[record(NudgeDecision.SEND_FIRST, now)])
    assert next_nudge_step(s, now) is NudgeDecision.NOTHING  # idempotent
    assert next_nudge_step(s, now + 4 * W - timedelta(seconds=1)) is NudgeDecision.NOTHING
    assert next_nudge_step(s, now + 4 * W) is NudgeDecision.SEND_SECOND
    s = subject(nudges=[*s.nudges, record(NudgeDecision.SEND_SECOND, now + 4 * W)])
    assert next_nudge_step(s, now + 5 * W) is NudgeDecision.NOTHING
    assert next_nudge_step(s, now + 8 * W) is NudgeDecision.ADD_TO_FOLLOW_UP
    s = subject(nudges=[*s.nudges, record(NudgeDecision.ADD_TO_FOLLOW_UP, now + 8 * W)])
    assert next_nudge_step(s, now + 80 * W) is NudgeDecision.NOTHING


def test_activity_ends_the_cycle_and_a_new_quiet_spell_starts_over() -> None:
    first = ACTIVE + 8 * W
    back = first + 2 * W
    s = subject(last_activity=back, nudges=[record(NudgeDecision.SEND_FIRST, first)])
    assert current_cycle(s) == []
    assert next_nudge_step(s, back + 4 * W) is NudgeDecision.NOTHING
    assert next_nudge_step(s, back + 8 * W) is NudgeDecision.SEND_FIRST


def test_pause_stop_opt_out_and_unreachable() -> None:
    now = ACTIVE + 20 * W
    paused = subject(paused_until=date(2024, 10, 31), today=date(2024, 10, 31))
    assert next_nudge_step(paused, now) is NudgeDecision.NOTHING
    expired = subject(paused_until=date(2024, 10, 31), today=date(2024, 11, 1))
    assert next_nudge_step(expired, now) is NudgeDecision.SEND_FIRST
    assert next_nudge_step(subject(stopped=True), now) is NudgeDecision.NOTHING
    assert next_nudge_step(subject(nudges_off=True), now) is NudgeDecision.NOTHING
    assert next_nudge_step(subject(certified_at=None), now) is NudgeDecision.NOTHING
    blocked = subject(reachable=False)
    assert next_nudge_step(blocked, now) is NudgeDecision.ADD_TO_FOLLOW_UP
    blocked = subject(reachable=False, nudges=[record(NudgeDecision.ADD_TO_FOLLOW_UP, now)])
    assert next_nudge_step(blocked, now) is NudgeDecision.NOTHING
    with pytest.raises(ValueError):
        next_nudge_step(subject(paused_until=date(2024, 10, 31)), now)


@given(st.lists(st.integers(min_value=0, max_value=40 * 24), min_size=1, max_size=12))
def test_sweeps_send_each_step_at_most_once(hours_offsets: list[int]) -> None:
    nudges: list[NudgeRecord] = []
    start = ACTIVE + 8 * W
    for offset in sorted(hours_offsets):
        now = start + timedelta(hours=offset * 7)
        for _ in range(2):  # the sweep runs twice
            decision = next_nudge_step(subject(nudges=nudges), now)
            if decision is not NudgeDecision.NOTHING:
                nudges.append(record(decision, now))
    steps = [n.step for n in nudges]
    assert len(steps) == len(set(steps))
    assert steps == [NudgeStep.FIRST, NudgeStep.SECOND, NudgeStep.FOLLOW_UP][: len(steps)]


def test_assign_wording() -> None:
    assert assign_wording(0.0) is Wording.B
    assert assign_wording(0.4999) is Wording.B
    assert assign_wording(0.5) is Wording.A
    assert assign_wording(0.99) is Wording.A
    assert assign_wording(0.3, EngagementRules(share_b=0.25)) is Wording.A
    with pytest.raises(ValueError):
        assign_wording(1.0)


def test_wilson_interval_known_values() -> None:
    interval = wilson_interval(5, 10)
    assert interval is not None
    assert interval.low == pytest.approx(0.2366, abs=1e-4)
    assert interval.high == pytest.approx(0.7634, abs=1e-4)
    zero = wilson_interval(0, 20)
    assert zero is not None and zero.low == 0.0
    assert zero.high == pytest.approx(0.1611, abs=1e-4)
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_interval_contains_rate(trials: int, data: st.DataObject) -> None:
    successes = data.draw(st.integers(min_value=0, max_value=trials))
    interval = wilson_interval(successes, trials)
    assert interval is not None
    assert 0.0 <= interval.low <= successes / trials <= interval.high <= 1.0


def test_comeback_stats_per_step_and_wording() -> None:
    sent = datetime(2025, 1, 1, tzinfo=UTC)
    now = sent + 10 * W
    outcomes = [
        NudgeOutcome(NudgeStep.FIRST, Wording.A, sent, sent + 2 * W),  # back
        NudgeOutcome(NudgeStep.FIRST, Wording.A, sent, sent + 5 * W),  # too late
        NudgeOutcome(NudgeStep.FIRST, Wording.A, sent, None),
        NudgeOutcome(NudgeStep.FIRST, Wording.B, sent, sent + 4 * W),  # exactly 4 weeks: back
        NudgeOutcome(NudgeStep.SECOND, Wording.B, now - W, None),  # pending
        NudgeOutcome(NudgeStep.SECOND, Wording.B, now - W, now - W + timedelta(days=1)),
    ]
    rows = {(r.step, r.wording): r for r in comeback_stats(outcomes, now)}
    first_a = rows[(NudgeStep.FIRST, Wording.A)]
    assert (first_a.nudged, first_a.came_back, first_a.pending) == (3, 1, 0)
    assert first_a.rate == pytest.approx(1 / 3)
    assert rows[(NudgeStep.FIRST, Wording.B)].came_back == 1
    second_b = rows[(NudgeStep.SECOND, Wording.B)]
    assert (second_b.nudged, second_b.came_back, second_b.pending) == (1, 1, 1)
    second_a = rows[(NudgeStep.SECOND, Wording.A)]
    assert second_a.nudged == 0 and second_a.rate is None and second_a.interval is None
