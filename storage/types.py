"""Column types shared by every feature's models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A `StrEnum` stored as its plain text value (a VARCHAR, no database enum type).

    Reading gives the enum member back; writing accepts a member or its exact value and
    refuses anything else, so a misspelt status never reaches the database. Migrations see
    a plain `String(length)`, so changing the Python type needs no migration.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> E | None:
        if value is None:
            return None
        return self.enum(value)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self


MAX_ID = 2**31 - 1
"""The largest id a row can have (a 32-bit column): an id from a button outside 1..MAX_ID is
forged or garbled and is never looked up (SQLite and PostgreSQL refuse such numbers loudly)."""


def valid_id(value: int) -> bool:
    """Whether `value` can be a row's id at all (check before `session.get`)."""
    return 0 < value <= MAX_ID
