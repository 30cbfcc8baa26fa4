"""The features of the Citytrainers bot, in the order their routers are tried.

Each feature is a package with the same name in `bot/features/`, `storage/`, `domain/`,
`tests/` and `locales/nl/LC_MESSAGES/<name>.po`; its `feature.py` declares what it plugs in.
`bot.__main__` passes this list to the composition root; tests may build an app with fewer.
"""

from __future__ import annotations

from bot.conversations import question
from bot.features.activities.feature import FEATURE as ACTIVITIES
from bot.features.course.feature import FEATURE as COURSE
from bot.features.hours.feature import FEATURE as HOURS
from bot.features.impact.feature import FEATURE as IMPACT
from bot.features.nazorg.feature import FEATURE as NAZORG
from bot.features.opportunities.feature import FEATURE as OPPORTUNITIES
from bot.features.signup.feature import FEATURE as SIGNUP
from bot.kit.feature import Feature


def all_features() -> tuple[Feature, ...]:
    """Every feature, in the order its routers are tried (before /start and the fallback)."""
    return (
        question.FEATURE,
        COURSE,
        HOURS,
        OPPORTUNITIES,
        ACTIVITIES,
        IMPACT,
        SIGNUP,
        NAZORG,
    )
