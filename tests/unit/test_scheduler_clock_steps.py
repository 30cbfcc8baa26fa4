"""Sweeps run every interval of monotonic time, whatever the system clock does.

Issue 12: the scheduler planned sweeps on wall-clock time, so a backward step of the system clock
stopped reminders, escalations and nudges for as long as the step. Now the interval is measured
on monotonic time (the event loop's clock) and each sweep gets the wall-clock `now` from the
injected Clock. Nothing here sleeps: time is fake and moves only when the loop waits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import selectors
from collections.abc import Coroutine
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app.i18n import build_i18n
from bot.app.scheduler import Sweeper, run_every, wait_or_stop
from bot.kit.clock import ManualClock
from bot.kit.sweep import Sweep
from storage.db import create_session_factory

INTERVAL = 30.0
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
STEPS = [
    pytest.param(dt.timedelta(hours=-2), id="wall clock steps back 2 hours"),
    pytest.param(dt.timedelta(hours=2), id="wall clock steps forward 2 hours"),
]


class FakeTime:
    """Monotonic time that moves only while the loop waits; the wall clock moves along with it
    (plus whatever step a test makes)."""

    def __init__(self, wall: ManualClock) -> None:
        self.seconds = 1000.0  # a monotonic clock's zero means nothing
        self.wall = wall
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def pass_time(self, seconds: float) -> None:
        self.seconds += seconds
        self.wall.advance(dt.timedelta(seconds=seconds))

    async def wait(self, stop: asyncio.Event, seconds: float) -> None:
        self.waits.append(seconds)
        self.pass_time(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real wait would


@pytest.mark.parametrize("step", STEPS)
async def test_a_step_of_the_wall_clock_delays_no_sweep(
    sqlite_engine: AsyncEngine, step: dt.timedelta
):
    wall = ManualClock(START)
    fake = FakeTime(wall)
    stop = asyncio.Event()
    runs: list[tuple[float, dt.datetime]] = []

    async def record(session: AsyncSession, now: dt.datetime) -> None:
        assert await session.scalar(text("SELECT 1")) == 1  # in its own transaction
        runs.append((fake.monotonic(), now))
        if len(runs) == 2:
            wall.advance(step)  # the system clock is stepped between two sweeps
        if len(runs) == 6:
            stop.set()

    sweeper = Sweeper(
        create_session_factory(sqlite_engine), wall, build_i18n(), [Sweep("record", record)]
    )
    begin = fake.monotonic()
    await run_every(INTERVAL, sweeper.run_all, stop, monotonic=fake.monotonic, wait=fake.wait)

    # every interval of monotonic time, before and after the step: none is delayed
    assert [at - begin for at, _ in runs] == [30, 60, 90, 120, 150, 180]
    # and each sweep decides what is due with the wall clock as it is then, step included
    seconds = dt.timedelta(seconds=1)
    assert [now for _, now in runs] == [
        START + 30 * seconds,
        START + 60 * seconds,
        START + 90 * seconds + step,
        START + 120 * seconds + step,
        START + 150 * seconds + step,
        START + 180 * seconds + step,
    ]
    assert fake.waits == [INTERVAL] * 6  # one wait per run: no burst of catch-up runs


async def test_a_sweep_longer_than_the_interval_is_followed_at_once_without_a_burst():
    fake = FakeTime(ManualClock(START))
    stop = asyncio.Event()
    starts: list[float] = []

    async def job() -> None:
        starts.append(fake.monotonic())
        if len(starts) == 1:
            fake.pass_time(100)  # this run takes more than three intervals
        if len(starts) == 4:
            stop.set()

    begin = fake.monotonic()
    await run_every(INTERVAL, job, stop, monotonic=fake.monotonic, wait=fake.wait)
    # missed runs are not made up: one run right after the long one, then every interval
    assert [at - begin for at in starts] == [30, 130, 160, 190]


async def test_a_failing_run_is_logged_and_the_next_starts_on_time(
    caplog: pytest.LogCaptureFixture,
):
    fake = FakeTime(ManualClock(START))
    stop = asyncio.Event()
    starts: list[float] = []

    async def job() -> None:
        starts.append(fake.monotonic())
        if len(starts) == 3:
            stop.set()
        if len(starts) == 1:
            raise RuntimeError("database went away")

    begin = fake.monotonic()
    with caplog.at_level(logging.ERROR, logger="bot.app.scheduler"):
        await run_every(INTERVAL, job, stop, monotonic=fake.monotonic, wait=fake.wait)
    assert [at - begin for at in starts] == [30, 60, 90]
    assert any(r.exc_info for r in caplog.records if r.name == "bot.app.scheduler")


async def test_stop_ends_the_wait_at_once():
    stop = asyncio.Event()
    waiting = asyncio.Event()
    waits: list[float] = []
    runs: list[int] = []

    async def wait(stop_event: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)
        waiting.set()
        await wait_or_stop(stop_event, seconds)  # the real wait, on the loop's clock

    async def job() -> None:
        runs.append(1)

    task = asyncio.create_task(run_every(300, job, stop, wait=wait))
    await waiting.wait()
    stop.set()
    async with asyncio.timeout(5):  # not 300 s
        await task
    assert runs == [] and len(waits) == 1 and 299 < waits[0] <= 300


async def test_the_interval_must_be_positive():
    async def job() -> None:
        pass

    with pytest.raises(ValueError, match="positive"):
        await run_every(0, job, asyncio.Event())


# -- the defaults: the event loop's own (monotonic) clock ------------------------------------


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual monotonic time: when it would wait for its next timer it moves
    its clock forward instead, so timers fire at once, in order, as if on time."""

    def __init__(self) -> None:
        super().__init__(selectors.DefaultSelector())
        self.virtual = 5000.0
        selector = self._selector  # type: ignore[attr-defined]
        real_select = selector.select

        def select(timeout: float | None = None) -> Any:
            if timeout is not None and timeout > 0:
                self.virtual += timeout
            return real_select(0)

        selector.select = select

    def time(self) -> float:
        return self.virtual


class LoopWallClock:
    """A wall clock that runs with the loop's virtual time and can be stepped."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        self.loop = loop
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.loop.time()) + self.offset


def run_virtual(coro: Coroutine[Any, Any, None]) -> None:
    loop = VirtualTimeLoop()
    try:
        loop.run_until_complete(asyncio.wait_for(coro, timeout=24 * 3600))
    finally:
        loop.close()


@pytest.mark.parametrize("step", STEPS)
def test_by_default_the_interval_is_measured_on_the_event_loops_clock(step: dt.timedelta):
    runs: list[tuple[float, dt.datetime]] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop)
        wall = LoopWallClock(loop)
        stop = asyncio.Event()

        async def job() -> None:
            runs.append((loop.time(), wall.now()))
            if len(runs) == 2:
                wall.offset += step  # the system clock is stepped
            if len(runs) == 5:
                stop.set()

        begin = loop.time()
        await run_every(INTERVAL, job, stop)  # default monotonic source and wait
        assert [at - begin for at, _ in runs] == [30, 60, 90, 120, 150]

    run_virtual(scenario())
    nows = [now for _, now in runs]
    assert nows[2] - nows[1] == dt.timedelta(seconds=30) + step
    assert all(b - a == dt.timedelta(seconds=30) for a, b in itertools.pairwise(nows[2:]))
