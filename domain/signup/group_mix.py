"""The mix of a group for coordinators, with small numbers hidden (issue 3).

Rules:
- Counts per category (gender, age band, school type, track, "where did you hear of us") come only
  from optional answers; a person who did not answer is counted as `NOT_ANSWERED`.
- Any cell with fewer than `MixRules.min_cell_size` (5) people, zero included, is suppressed: the
  cell carries no number and the bot shows it as "<5". Only non-zero categories and the
  `categories` passed in appear. Note: with one suppressed cell and a known group total the hidden
  number can be worked out; the bot shows the group total next to the mix, so this rule protects
  against casual reading, not against subtraction.
- Age bands (`AGE_BANDS`): 14-15, 16-17, 18-23, 24+ (younger ages get their own "<14" band).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

NOT_ANSWERED = "not_answered"
"""Category for people who chose "zeg ik liever niet" or skipped the question."""

AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 13, "<14"),
    (14, 15, "14-15"),
    (16, 17, "16-17"),
    (18, 23, "18-23"),
    (24, None, "24+"),
)
"""(lowest age, highest age or None, label) of the bands shown to coordinators."""


@dataclass(frozen=True)
class MixRules:
    """Privacy threshold for the group mix."""

    min_cell_size: int = 5
    """Cells with fewer people than this are shown as "<5"."""


@dataclass(frozen=True)
class MixCell:
    """One category's count, or None when it is suppressed."""

    category: str
    count: int | None

    @property
    def suppressed(self) -> bool:
        """True when the cell is too small to show."""
        return self.count is None


def age_band(age: int) -> str:
    """The label of the age band an age falls in."""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError("negative age")


def mix(
    answers: Iterable[str | None],
    categories: Iterable[str] = (),
    rules: MixRules | None = None,
) -> tuple[MixCell, ...]:
    """Cells for one question: `categories` first in their order, then others by size."""
    rules = rules or MixRules()
    counts = Counter(NOT_ANSWERED if a is None else a for a in answers)
    order = list(dict.fromkeys(categories))
    order += sorted((c for c in counts if c not in order), key=lambda c: (-counts[c], c))
    return tuple(MixCell(c, counts[c] if counts[c] >= rules.min_cell_size else None) for c in order)
