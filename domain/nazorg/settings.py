"""Per-programme nazorg settings (issue 7), read from `Programme.settings["nazorg"]`.

Keys (all optional): `sweep_time` ("16:00", local), `digest_weekday` (0 = Monday),
`digest_time` ("09:00", local), `quiet_after_weeks` (8), `second_nudge_after_weeks` (4),
`follow_up_after_weeks` (4), `comeback_window_weeks` (4), `share_b` (0.5). Bad values fall back
to the default. Also: when the daily sweep and the weekly digest are due at a local moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain.nazorg.engagement import EngagementRules

PAUSE_MONTHS = (1, 3, 6)
"""How long "Nu even niet" may pause the nudges, in months."""


class RunKind(StrEnum):
    """The periodic nazorg runs, each claimed once per period: the daily nudge sweep (period: the
    local date) and the weekly digest (period: the ISO week)."""

    SWEEP = "sweep"
    DIGEST = "digest"


class DigestItem(StrEnum):
    """The items of the coordinators' weekly digest, in the order they are shown."""

    FOLLOW_UP = "followup"
    SIGNUPS = "signups"
    HOURS = "hours"
    PROPOSALS = "proposals"
    CLOSING = "closing"
    SESSIONS = "sessions"


@dataclass(frozen=True)
class NazorgSettings:
    sweep_time: time = time(16, 0)
    digest_weekday: int = 0
    digest_time: time = time(9, 0)
    rules: EngagementRules = field(default_factory=EngagementRules)

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any] | None) -> NazorgSettings:
        raw = (settings or {}).get("nazorg") or {}
        if not isinstance(raw, Mapping):
            raw = {}
        default = cls()
        rules = EngagementRules(
            quiet_after_weeks=_int(raw.get("quiet_after_weeks"), 8, 1, 104),
            second_nudge_after_weeks=_int(raw.get("second_nudge_after_weeks"), 4, 1, 52),
            follow_up_after_weeks=_int(raw.get("follow_up_after_weeks"), 4, 1, 52),
            comeback_window_weeks=_int(raw.get("comeback_window_weeks"), 4, 1, 52),
            share_b=_share(raw.get("share_b")),
        )
        return cls(
            sweep_time=_time(raw.get("sweep_time"), default.sweep_time),
            digest_weekday=_int(raw.get("digest_weekday"), 0, 0, 6),
            digest_time=_time(raw.get("digest_time"), default.digest_time),
            rules=rules,
        )


def _int(value: Any, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return int(value)


def _share(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return 0.5


def _time(value: Any, default: time) -> time:
    if not isinstance(value, str):
        return default
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return default


def sweep_due(local_now: datetime, settings: NazorgSettings) -> bool:
    """The daily sweep runs once a local day, from `sweep_time` on."""
    return local_now.time() >= settings.sweep_time


def digest_due(local_now: datetime, settings: NazorgSettings) -> bool:
    """The digest goes out once a week, on `digest_weekday` from `digest_time` on."""
    return (
        local_now.weekday() == settings.digest_weekday and local_now.time() >= settings.digest_time
    )


def week_label(day: date) -> str:
    """ISO week of a local date, e.g. "2026-W10" (the digest's period)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it does not exist)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and the next Monday of the week of `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)
