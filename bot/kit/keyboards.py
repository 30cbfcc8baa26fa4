"""Keyboards: the main menu per role, and small helpers for inline choices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from domain.roles import Role

# Texts of the main-menu buttons; handlers match them with F.text == MENU_HELP etc.
MENU_HELP = __("Help")
MENU_PRIVACY = __("Privacy")
MENU_STATUS = __("Bot status")


def main_menu(feature_buttons: Sequence[str], roles: Iterable[Role]) -> ReplyKeyboardMarkup:
    """The persistent menu under the chat: the features' buttons, two a row, then help.

    Handlers call `registry.main_menu(roles)`, which passes the buttons of the features in use.
    """
    held = frozenset(roles)
    buttons = [KeyboardButton(text=text) for text in feature_buttons]
    if Role.COORDINATOR in held:
        buttons.append(KeyboardButton(text=str(MENU_STATUS)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([KeyboardButton(text=str(MENU_HELP)), KeyboardButton(text=str(MENU_PRIVACY))])
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Type a message or choose below"),
    )


def inline_choices(choices: Sequence[tuple[str, str]], columns: int = 1) -> InlineKeyboardMarkup:
    """An inline keyboard from (text, callback_data) pairs, `columns` buttons a row."""
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in choices]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    return InlineKeyboardMarkup(inline_keyboard=rows)
