"""Outbox throughput: enqueue N messages, then claim and mark them sent in batches of 50.

Reports rows a second and peak Python memory (tracemalloc) on SQLite, and on PostgreSQL when it
is reachable (TEST_POSTGRES_URL or postgresql+asyncpg://postgres@127.0.0.1:5432/test).
Usage: python bench/bench_outbox.py [N]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import migrate, outbox
from storage.db import create_engine, create_session_factory

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def run(engine: AsyncEngine, label: str, n: int) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    tracemalloc.start()
    started = time.perf_counter()
    async with sessions.begin() as session:
        for i in range(n):
            await outbox.enqueue(
                session,
                chat_id=str(10_000_000 + i),
                payload={"text": "hoi"},
                key=f"bench:{i}",
                now=now,
                priority=outbox.Priority.BROADCAST,
            )
    enqueued = time.perf_counter()
    done = 0
    while done < n:
        async with sessions.begin() as session:
            rows = await outbox.claim_due(session, worker="bench", now=now, limit=50)
        async with sessions.begin() as session:
            for row in rows:
                await outbox.mark_sent(session, row.id, 1, now)
        done += len(rows)
    finished = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:10} n={n}: enqueue {n / (enqueued - started):8.0f} rows/s, "
        f"claim+mark {n / (finished - enqueued):8.0f} rows/s, peak {peak / 1e6:.1f} MB"
    )
    await engine.dispose()


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await run(create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db"), "sqlite", n)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        import asyncpg

        admin = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg", "postgresql"))
    except (OSError, ImportError) as exc:
        print(f"postgresql skipped: {exc}")
        return
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        engine = create_async_engine(
            PG_URL, connect_args={"server_settings": {"search_path": schema}}
        )
        await run(engine, "postgresql", n)
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
