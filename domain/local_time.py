"""Local wall-clock times in a programme's zone and their UTC moments (issue 4).

Rules:
- Session times are entered in the programme's zone (Europe/Amsterdam). On the last Sunday of
  March the hour 02:00-02:59 does not exist (`LocalTimeError.NONEXISTENT`); on the last Sunday of
  October 02:00-02:59 happens twice (`AMBIGUOUS`). Both are refused rather than guessed.
- Detection uses zoneinfo's `fold` semantics: a wall time whose UTC offset differs between
  fold=0 and fold=1 is in a gap or an overlap; it is a gap when it does not survive a round trip
  through UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
"""The default programme time zone."""


class LocalTimeError(StrEnum):
    """Why a local wall-clock time cannot be turned into one moment."""

    NONEXISTENT = "nonexistent"
    AMBIGUOUS = "ambiguous"


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime | LocalTimeError:
    """The UTC moment of a naive local wall-clock time, or why there is not exactly one."""
    if local.tzinfo is not None:
        raise ValueError("local must be a naive wall-clock time")
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != local:
        return LocalTimeError.NONEXISTENT
    return LocalTimeError.AMBIGUOUS


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC moment of `clock` on `day` in `tz`, for times that never fall in a DST change.

    For a time in the gap or overlap the first (fold=0) reading is taken; use `local_to_utc` for
    times typed by people.
    """
    return datetime.combine(day, clock).replace(tzinfo=tz).astimezone(UTC)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware moment as aware local time in `tz`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(tz)
