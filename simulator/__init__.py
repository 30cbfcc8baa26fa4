"""Strict local Telegram Bot API emulator (see ``simulator.server.TelegramEmulator``)."""

from simulator.server import DEFAULT_TOKEN, TelegramEmulator

__all__ = ["DEFAULT_TOKEN", "TelegramEmulator"]
