"""Helpers for end-to-end tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], within: float = 5.0
) -> T:
    """Poll `probe` until `check` passes (the bot answers before it commits); return the value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await probe()
        if check(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"still not true after {within} s: last value {value!r}")
        await asyncio.sleep(0.05)
