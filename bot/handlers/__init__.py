"""All routers, in the order that matters: flows and feature routers first, fallback last.

Private chats only: every handler sits behind one `PrivateChat` filter (`groups.private_only`),
so no feature ever sees a group, supergroup or channel; the `groups` router before it is the only
one that does, and only posts "praat privé met me" there once.
"""

from __future__ import annotations

from aiogram import Router

from bot.handlers import common, fallback, groups, membership, replies, start, status
from bot.kit.feature import Registry


def build_router(registry: Registry) -> Router:
    root = Router(name="root")
    root.include_router(groups.create_router())
    private = groups.private_only(Router(name="private"))
    root.include_router(private)
    # /cancel, /help and /privacy work everywhere, also in the middle of a flow.
    private.include_router(common.create_router())
    private.include_router(membership.create_router())
    # Features and their flows (including their own `/start <payload>` deep links).
    for router in registry.routers():
        private.include_router(router)
    private.include_router(start.create_router())
    private.include_router(status.create_router())
    private.include_router(replies.create_router())
    private.include_router(fallback.create_router())
    return root
