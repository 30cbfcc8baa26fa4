"""All routers, in the order that matters: flows and feature routers first, fallback last."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import common, fallback, membership, replies, start, status
from bot.kit.feature import Registry


def build_router(registry: Registry) -> Router:
    root = Router(name="root")
    # /cancel, /help and /privacy work everywhere, also in the middle of a flow.
    root.include_router(common.create_router())
    root.include_router(membership.create_router())
    # Features and their flows (including their own `/start <payload>` deep links).
    for router in registry.routers():
        root.include_router(router)
    root.include_router(start.create_router())
    root.include_router(status.create_router())
    root.include_router(replies.create_router())
    root.include_router(fallback.create_router())
    return root
