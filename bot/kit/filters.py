"""Role filters: put them on a router (`router.message.filter(HasRole(...))`)."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from domain.roles import Role


class HasRole(Filter):
    """Passes when the sender holds at least one of the roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(
        self, event: TelegramObject, roles: frozenset[Role] = frozenset(), **_: Any
    ) -> bool:
        return bool(self.roles & roles)
