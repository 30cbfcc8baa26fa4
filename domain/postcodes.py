"""Dutch postcodes and a programme's postcode area (issue 3, question 7).

Rules:
- A Dutch postcode is four digits, the first not 0 (1000-9999), and two letters, optionally
  separated by a space or hyphen: `5211 AB`, `5211ab`, `5211-ab`. The canonical form is
  `"5211 AB"`.
- The letter pairs SA, SD and SS are never issued (historical associations) and are refused as
  `PostcodeError.LETTERS_NOT_USED`. A first digit 0 is `NOT_A_NUMBER_RANGE`.
- A programme may restrict signups to ranges of the four-digit number, e.g. ((5200, 5249),):
  both ends inclusive; no ranges means everyone is welcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

_POSTCODE = re.compile(r"(\d{4})\s?-?\s?([a-z]{2})")
NOT_ISSUED_LETTERS: frozenset[str] = frozenset({"SA", "SD", "SS"})
"""Letter pairs PostNL never issues."""


class PostcodeError(StrEnum):
    """Why a typed postcode was not accepted."""

    UNREADABLE = "unreadable"
    NOT_A_NUMBER_RANGE = "not_a_number_range"
    LETTERS_NOT_USED = "letters_not_used"


@dataclass(frozen=True)
class PostcodeArea:
    """A programme's signup area: inclusive ranges of the four-digit part; empty = everyone."""

    ranges: tuple[tuple[int, int], ...] = ()

    def allows(self, postcode: str) -> bool:
        """True when the canonical `postcode` ("5211 AB") lies in the area."""
        return postcode_in_ranges(postcode, self.ranges)


def parse_postcode(text: str) -> str | PostcodeError:
    """Normalise a typed Dutch postcode to "1234 AB", or say why it is not one."""
    cleaned = text.strip().lower()
    if len(cleaned) > 12:
        return PostcodeError.UNREADABLE
    match = _POSTCODE.fullmatch(cleaned)
    if match is None:
        return PostcodeError.UNREADABLE
    digits, letters = match.group(1), match.group(2).upper()
    if digits.startswith("0"):
        return PostcodeError.NOT_A_NUMBER_RANGE
    if letters in NOT_ISSUED_LETTERS:
        return PostcodeError.LETTERS_NOT_USED
    return f"{digits} {letters}"


def postcode_number(postcode: str) -> int:
    """The four-digit number of a canonical postcode ("5211 AB" → 5211)."""
    return int(postcode[:4])


def postcode_in_ranges(postcode: str, ranges: Sequence[tuple[int, int]]) -> bool:
    """True when the postcode's number lies in one of `ranges` (inclusive), or there are none."""
    if not ranges:
        return True
    number = postcode_number(postcode)
    return any(start <= number <= end for start, end in ranges)
