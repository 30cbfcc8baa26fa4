"""Real PostgreSQL and Redis for tests: used when reachable, skipped with a reason when not,
and required under CI=true (a missing service then fails the test instead of skipping it)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _unavailable(what: str, exc: BaseException) -> None:
    reason = f"{what} is not reachable ({exc!r:.120})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true it must run", pytrace=False)
    pytest.skip(reason)


async def postgres_schema_engine() -> AsyncIterator[AsyncEngine]:
    """An engine whose connections use a fresh schema, dropped afterwards."""
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        admin = await asyncio.wait_for(asyncpg.connect(dsn), 5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unavailable("PostgreSQL at " + PG_URL, exc)
        raise
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    engine = create_async_engine(
        PG_URL, connect_args={"server_settings": {"search_path": schema}}, pool_size=10
    )
    try:
        yield engine
    finally:
        await engine.dispose()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def redis_url() -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.flushdb(), 5)
    except (OSError, TimeoutError, Exception) as exc:  # redis raises its own ConnectionError
        await client.aclose()
        _unavailable("Redis at " + REDIS_URL, exc)
        raise
    await client.aclose()
    return REDIS_URL
