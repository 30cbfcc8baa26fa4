"""A sweep: a short periodic job that decides what is due and writes outbox rows.

Features declare their sweeps (`Feature.sweeps`); the runtime's `Sweeper` runs each in its own
transaction with the Dutch catalog active, every SWEEP_SECONDS of monotonic time. A sweep gets the
wall-clock `now` (the injected Clock) and compares with it, never with the time of its last run:
after a step of the system clock it still finds what is due, and a second run finds nothing new
(idempotency keys).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

SweepFunc = Callable[[AsyncSession, dt.datetime], Awaitable[None]]


@dataclass(frozen=True)
class Sweep:
    name: str
    func: SweepFunc
