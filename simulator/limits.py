"""Flood control (global sliding window + per-chat token bucket) and fault injection."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("error", "429", "timeout", "blocked")


@dataclass
class _Bucket:
    tokens: float
    updated: float
    blocked_until: float = 0.0
    penalty: float = 0.0


class FloodControl:
    """Decides whether a message-creating call may proceed; returns ``retry_after`` if not."""

    def __init__(
        self,
        global_per_second: int = 30,
        per_chat_burst: int = 20,
        per_chat_refill_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_burst = per_chat_burst
        self.per_chat_refill_per_second = per_chat_refill_per_second
        self._clock = clock
        self._window: deque[float] = deque()
        self._global_blocked_until = 0.0
        self._global_penalty = 0.0
        self._chats: dict[int, _Bucket] = {}

    def configure(
        self,
        global_per_second: int | None = None,
        per_chat_burst: int | None = None,
        per_chat_refill_per_second: float | None = None,
    ) -> None:
        if global_per_second is not None:
            self.global_per_second = global_per_second
        if per_chat_burst is not None:
            self.per_chat_burst = per_chat_burst
        if per_chat_refill_per_second is not None:
            self.per_chat_refill_per_second = per_chat_refill_per_second
        self.reset()

    def settings(self) -> dict[str, Any]:
        return {
            "global_per_second": self.global_per_second,
            "per_chat_burst": self.per_chat_burst,
            "per_chat_refill_per_second": self.per_chat_refill_per_second,
        }

    def reset(self) -> None:
        self._window.clear()
        self._global_blocked_until = 0.0
        self._chats.clear()

    def check(self, chat_id: int) -> int | None:
        """Record one send to ``chat_id``; return retry_after seconds when over a limit."""
        now = self._clock()
        bucket = self._bucket(chat_id, now)
        if now < bucket.blocked_until:
            bucket.blocked_until = now + bucket.penalty
            return math.ceil(bucket.penalty)
        if now < self._global_blocked_until:
            self._global_blocked_until = now + self._global_penalty
            return math.ceil(self._global_penalty)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.global_per_second:
            wait = max(1, math.ceil(self._window[0] + 1.0 - now))
            self._global_penalty = wait
            self._global_blocked_until = now + wait
            return wait
        if bucket.tokens < 1.0:
            refill = self.per_chat_refill_per_second or 1e-9
            wait = max(1, math.ceil((1.0 - bucket.tokens) / refill))
            bucket.penalty = wait
            bucket.blocked_until = now + wait
            return wait
        bucket.tokens -= 1.0
        self._window.append(now)
        return None

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(float(self.per_chat_burst), now)
        elapsed = now - bucket.updated
        bucket.tokens = min(
            float(self.per_chat_burst), bucket.tokens + elapsed * self.per_chat_refill_per_second
        )
        bucket.updated = now
        return bucket


@dataclass
class Fault:
    method: str  # lower-case method name or "*"
    remaining: int
    kind: str
    retry_after: int = 1
    status: int = 500
    hang_seconds: float = 120.0
    chat_id: str | None = None  # only calls addressed to this chat, when set

    def to_json(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "method": self.method,
            "remaining": self.remaining,
            "kind": self.kind,
            "retry_after": self.retry_after,
            "status": self.status,
            "hang_seconds": self.hang_seconds,
        }


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; use one of {FAULT_KINDS}")
        if fault.remaining < 1:
            raise ValueError("count must be >= 1")
        self.faults.append(fault)

    def take(self, method: str, chat_id: object = None) -> Fault | None:
        """Consume one matching fault for ``method`` (case-insensitive) and chat, if any."""
        name = method.lower()
        for fault in self.faults:
            if fault.chat_id is not None and str(chat_id) != fault.chat_id:
                continue
            if fault.method in ("*", name):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
