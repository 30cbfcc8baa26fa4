"""Telegram's HTML parse mode for the emulator: the bot's own parser, answered as a Bot API error.

The parser lives in `bot.kit.telegram_html` so that the bot checks its texts with exactly the
rules the emulator applies (issue 12, issue 14); here an invalid text becomes the 400 Telegram
answers ("Bad Request: can't parse entities: ...").
"""

from __future__ import annotations

from typing import Any

from bot.kit import telegram_html
from bot.kit.telegram_html import TelegramHTMLError, utf16_len
from simulator.spec import bad_request

__all__ = ["parse_html", "parse_text", "utf16_len"]


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML; raise ``ApiError`` ("can't parse entities: ...") when invalid."""
    try:
        return telegram_html.parse_html(text)
    except TelegramHTMLError as exc:
        raise bad_request(str(exc)) from None


def parse_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode``/``entities`` the way Telegram does for text and captions."""
    if parse_mode and parse_mode.lower() == "html":
        return parse_html(text)
    if parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return text, list(entities or [])
