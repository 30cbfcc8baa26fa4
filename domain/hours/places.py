"""Organisations (ervaringsplekken) and placements: the kinds and tracks a coordinator picks.

The values are stored as text (`organisation.kind`, `placement.track`) and the order is the
order of the buttons (a button carries the index), so new members go at the end.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class OrganisationKind(StrEnum):
    """What an organisation is."""

    SPORT = "sport"
    CULTURE = "culture"
    WELFARE = "welfare"


class PlacementTrack(StrEnum):
    """The track a placed trainee follows."""

    SPORT = "sport"
    CULTURE = "culture"


def pick(choices: tuple[E, ...], index: int) -> E:
    """The choice a button's index stands for (an out-of-range index wraps, never raises)."""
    return choices[index % len(choices)]
