"""The bot's own web server tells outsiders nothing: /healthz is generic, /metrics can be locked."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.web import bearer_matches, build_web_app
from bot.kit.clock import ManualClock
from bot.kit.metrics import Metrics
from storage import migrate, outbox
from storage.db import create_engine, create_session_factory

# Nothing listens on port 1: connecting fails at once, with host and user in the exception text.
UNREACHABLE = "postgresql+asyncpg://citytrainers:geheim@127.0.0.1:1/gemeente_db"


@asynccontextmanager
async def serving(
    engine: AsyncEngine, clock: ManualClock, **options: Any
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    metrics = Metrics()
    metrics.updates.labels(kind="message").inc()
    app = build_web_app(create_session_factory(engine), clock, metrics, **options)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/web.db")
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


async def test_healthz_hides_the_database_error_and_logs_it(
    manual_clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(UNREACHABLE)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.app.web"):
            async with serving(engine, manual_clock) as client:
                resp = await client.get("/healthz")
                body = await resp.text()
                assert resp.status == 503
                assert await resp.json() == {"ok": False, "database": "unavailable"}
    finally:
        await engine.dispose()
    for secret in ("127.0.0.1", "gemeente_db", "citytrainers", "Error", "Connect"):
        assert secret not in body
    # the operator still finds the cause in the log
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "health check" in logged
    assert any(r.exc_info for r in caplog.records)


async def test_healthz_reports_the_outbox_when_all_is_well(
    migrated: AsyncEngine, manual_clock: ManualClock
) -> None:
    async with serving(migrated, manual_clock) as client:
        resp = await client.get("/healthz")
        assert resp.status == 200
        assert await resp.json() == {
            "ok": True,
            "database": "ok",
            "outbox_pending": 0,
            "outbox_oldest_seconds": 0.0,
            "outbox_oldest_sending_seconds": 0.0,
            "outbox_claimed": 0,
            "outbox_sending": 0,
            "outbox_uncertain": 0,
            "outbox_failed": 0,
            "outbox_dead": 0,
        }


async def test_healthz_turns_red_when_a_row_is_stuck_sending(
    migrated: AsyncEngine, manual_clock: ManualClock
) -> None:
    """Issue 12: /healthz stayed green with rows stuck in `sending`."""
    sessions = create_session_factory(migrated)
    async with sessions.begin() as session:
        await outbox.enqueue(
            session, chat_id="100", payload={"text": "x"}, key="stuck", now=manual_clock.now()
        )
        [row] = await outbox.claim_due(session, worker="gone", now=manual_clock.now(), limit=1)
        assert await outbox.start_sending(session, row.id, "gone", manual_clock.now())
    async with serving(migrated, manual_clock) as client:
        body = await (await client.get("/healthz")).json()
        assert body["ok"] is True and body["outbox_sending"] == 1
        manual_clock.advance(2 * outbox.SENDING_LEASE + dt.timedelta(seconds=1))
        resp = await client.get("/healthz")
        body = await resp.json()
        assert resp.status == 503 and body["ok"] is False
        assert body["outbox_oldest_sending_seconds"] > 240


async def test_metrics_need_the_bearer_token_when_one_is_set(
    migrated: AsyncEngine, manual_clock: ManualClock
) -> None:
    token = "metrics-token-for-the-test-0123456789"
    async with serving(migrated, manual_clock, metrics_token=SecretStr(token)) as client:
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": f"Basic {token}"},
            {"Authorization": f"Bearer {token}x"},
            {"Authorization": "Bearer "},
        ):
            resp = await client.get("/metrics", headers=headers)
            assert resp.status == 401, headers
            assert "bot_updates_total" not in await resp.text()
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        resp = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 200
        assert 'bot_updates_total{kind="message"} 1.0' in await resp.text()
        # /healthz stays open for the container's health check
        assert (await client.get("/healthz")).status == 200


async def test_metrics_stay_open_without_a_token(
    migrated: AsyncEngine, manual_clock: ManualClock
) -> None:
    async with serving(migrated, manual_clock) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert "bot_updates_total" in await resp.text()


def test_bearer_header_parsing() -> None:
    assert bearer_matches("Bearer abc", "abc")
    assert bearer_matches("bearer abc", "abc")
    assert not bearer_matches(None, "abc")
    assert not bearer_matches("", "abc")
    assert not bearer_matches("Bearer", "abc")
    assert not bearer_matches("Bearer abcd", "abc")
    assert not bearer_matches("Token abc", "abc")
