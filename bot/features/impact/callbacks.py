"""Callback data of /cijfers: the period buttons (`pr:fig:0:<period>`).

The prefix `pr` is shared with the activities feature (`bot.features.activities.callbacks`),
whose classes take other actions; the packed values never change (buttons on phones).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class FiguresAction(StrEnum):
    PERIOD = "fig"


class FiguresPeriod(StrEnum):
    """The periods /cijfers offers, up to today (Amsterdam dates)."""

    THIS_YEAR = "year"
    LAST_YEAR = "last"
    EVERYTHING = "all"


class FiguresCb(CallbackData, prefix="pr"):
    action: FiguresAction
    unused: int = 0
    """Always 0; keeps the three-part layout of the buttons already sent."""
    period: FiguresPeriod = FiguresPeriod.THIS_YEAR
