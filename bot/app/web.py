"""The bot's own web server: /healthz, /metrics and (in webhook mode) the webhook."""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock
from bot.kit.metrics import Metrics
from storage import outbox

STUCK_AFTER = dt.timedelta(minutes=15)


def build_web_app(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, metrics: Metrics
) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
                stats = await outbox.stats(session, clock.now())
        except Exception as exc:
            return web.json_response({"ok": False, "database": repr(exc)[:200]}, status=503)
        stuck = stats.oldest_pending_seconds > STUCK_AFTER.total_seconds()
        body = {
            "ok": not stuck,
            "database": "ok",
            "outbox_pending": stats.pending,
            "outbox_oldest_seconds": round(stats.oldest_pending_seconds, 1),
        }
        return web.json_response(body, status=503 if stuck else 200)

    async def metrics_view(_: web.Request) -> web.Response:
        return web.Response(
            body=metrics.render(),
            content_type="text/plain",
            charset="utf-8",
            headers={"X-Content-Type": "prometheus-0.0.4"},
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    return app
