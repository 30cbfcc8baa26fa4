"""The bot's own web server: /healthz, /metrics and (in webhook mode) the webhook.

What these pages say is meant for anyone who can reach the port: `/healthz` answers with a
generic status only (the detail of a failure goes to the log, never to the caller: an exception
text names hosts, users and databases), and `/metrics` needs `Authorization: Bearer <token>`
when a metrics token is set (METRICS_TOKEN).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kit.clock import Clock
from bot.kit.metrics import Metrics
from storage import outbox
from storage.models import OutboxStatus

log = logging.getLogger(__name__)

STUCK_AFTER = dt.timedelta(minutes=15)
STUCK_SENDING_AFTER = 2 * outbox.SENDING_LEASE
"""Rows claimed or sending this long mean no sender recovers them: not healthy."""
REPORTED = (
    OutboxStatus.CLAIMED,
    OutboxStatus.SENDING,
    OutboxStatus.UNCERTAIN,
    OutboxStatus.FAILED,
    OutboxStatus.DEAD,
)


def bearer_matches(header: str | None, token: str) -> bool:
    """True when `header` is exactly "Bearer <token>" (compared in constant time)."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def build_web_app(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    metrics: Metrics,
    *,
    metrics_token: SecretStr | None = None,
) -> web.Application:
    """The web app; `metrics_token` (Settings.metrics_token) guards /metrics when it is set."""

    async def healthz(_: web.Request) -> web.Response:
        try:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))
                stats = await outbox.stats(session, clock.now())
        except Exception:
            log.exception("health check: the database cannot be reached")
            return web.json_response({"ok": False, "database": "unavailable"}, status=503)
        stuck = (
            stats.oldest_pending_seconds > STUCK_AFTER.total_seconds()
            or stats.oldest_sending_seconds > STUCK_SENDING_AFTER.total_seconds()
        )
        body: dict[str, object] = {
            "ok": not stuck,
            "database": "ok",
            "outbox_pending": stats.pending,
            "outbox_oldest_seconds": round(stats.oldest_pending_seconds, 1),
            "outbox_oldest_sending_seconds": round(stats.oldest_sending_seconds, 1),
        }
        for status in REPORTED:
            body[f"outbox_{status.value}"] = stats.count(status)
        return web.json_response(body, status=503 if stuck else 200)

    async def metrics_view(request: web.Request) -> web.Response:
        if metrics_token is not None and not bearer_matches(
            request.headers.get("Authorization"), metrics_token.get_secret_value()
        ):
            return web.Response(
                status=401,
                text="unauthorized\n",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
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
