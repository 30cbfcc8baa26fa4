"""Multi-step flows, one module a flow; each module has a `router` and a Mermaid sketch."""

from __future__ import annotations

from aiogram import Router

from bot.conversations import question


def routers() -> list[Router]:
    """Fresh routers of every flow, in the order they are tried."""
    return [question.create_router()]
