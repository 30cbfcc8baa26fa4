"""Time is injected: production uses the wall clock, tests move a clock of their own.

Two kinds of time, never mixed: a `Clock` says what time it is (wall-clock time, which the
system may step backward or forward) and decides what is due; a `Monotonic` source says how long
to wait (seconds that never step: `time.monotonic`, an event loop's `time`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

Monotonic = Callable[[], float]
"""Seconds on a clock that only moves forward, at the pace of real time; its zero means nothing."""


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta


class ShiftedClock:
    """The wall clock moved to another moment: time runs as usual from `start` on.

    Tests that need real time to pass (the outbox sender's pace, timeouts) but must not depend
    on the hour they run at (quiet hours for minors) start the bot with one of these.
    """

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._offset = start.astimezone(dt.UTC) - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset
