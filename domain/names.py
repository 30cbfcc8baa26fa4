"""Person names as typed in the signup (issue 3, question 2).

Rules:
- Unicode NFC-normalised, surrounding whitespace trimmed and inner runs of whitespace collapsed
  to one space.
- 1 to `MAX_NAME_LENGTH` (64) characters after cleaning.
- At least one letter (any script), so emoji-only or digits-only "names" are refused.
- No control or invisible formatting characters (Unicode categories Cc, Cf, Cs, Co, Cn: e.g.
  newlines, bidi overrides, zero-width joiners) and no `<` or `>`, so a name can never carry markup.
  The bot still escapes names when rendering.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

MAX_NAME_LENGTH = 64
"""Longest accepted name, in characters after cleaning."""
FORBIDDEN_CHARACTERS = frozenset("<>")
"""Characters refused in names because they look like markup."""
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


class NameProblem(StrEnum):
    """Why a typed name was not accepted."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTER = "no_letter"
    CONTROL_CHARACTERS = "control_characters"
    FORBIDDEN_CHARACTERS = "forbidden_characters"


def clean_name(text: str) -> str | NameProblem:
    """The cleaned name, or why it is refused (see module docstring)."""
    normalised = unicodedata.normalize("NFC", text)
    # whitespace such as newlines and tabs is collapsed, not refused
    cleaned = " ".join(normalised.split())
    if not cleaned:
        return NameProblem.EMPTY
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in cleaned):
        return NameProblem.CONTROL_CHARACTERS
    if any(ch in FORBIDDEN_CHARACTERS for ch in cleaned):
        return NameProblem.FORBIDDEN_CHARACTERS
    if len(cleaned) > MAX_NAME_LENGTH:
        return NameProblem.TOO_LONG
    if not any(ch.isalpha() for ch in cleaned):
        return NameProblem.NO_LETTER
    return cleaned
