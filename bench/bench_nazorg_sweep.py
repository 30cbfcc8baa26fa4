"""The nazorg sweep over many Citytrainers: time and peak Python memory (tracemalloc).

Generates N people (default 100,000) with bulk inserts: every one a Citytrainer certified
20 weeks ago with a Telegram chat; a third had confirmed hours 2 weeks ago (active), a tenth
blocked the bot (straight to the follow-up list), a twentieth has nudges switched off. Then runs
the daily sweep once (nudges written to the outbox), and a second time (nothing new), on SQLite
and, when reachable, on PostgreSQL (TEST_POSTGRES_URL or postgresql+asyncpg://postgres@127.0.0.1:5432/test).
The sweep reads people in keyset batches of `storage.nazorg.BATCH`, so memory stays flat.
Usage: python bench/bench_nazorg_sweep.py [N]
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

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.app.i18n import build_i18n
from bot.features.nazorg.sweep import nudge_sweep_run
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.hours.models import PracticeHours
from storage.models import ChannelIdentity, OutboxMessage, Person, Programme, RoleGrant
from storage.nazorg.models import NazorgNudge, NazorgPreference

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 5, 5, 15, 0, tzinfo=dt.UTC)  # Tuesday 17:00 in Amsterdam
CHUNK = 5000


async def generate(engine: AsyncEngine, n: int) -> None:
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = Programme(
            name="Bench", timezone="Europe/Amsterdam", settings={}, created_at=NOW
        )
        session.add(programme)
        await session.flush()
        pid = programme.id
    certified = NOW - dt.timedelta(weeks=20)
    for start in range(1, n + 1, CHUNK):
        ids = range(start, min(start + CHUNK, n + 1))
        async with sessions.begin() as session:
            await session.execute(
                insert(Person),
                [
                    {
                        "id": i,
                        "programme_id": pid,
                        "first_name": f"Ct{i}",
                        "birth_date": dt.date(2000 + i % 12, 1 + i % 12, 1),
                        "created_at": certified,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(ChannelIdentity),
                [
                    {
                        "person_id": i,
                        "channel": "telegram",
                        "external_id": str(10_000_000 + i),
                        "chat_id": str(10_000_000 + i),
                        "reachable": i % 10 != 0,
                        "created_at": certified,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(RoleGrant),
                [
                    {
                        "person_id": i,
                        "programme_id": pid,
                        "role": "citytrainer",
                        "granted_at": certified,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(PracticeHours),
                [
                    {
                        "programme_id": pid,
                        "person_id": i,
                        "work_date": dt.date(2026, 4, 20),
                        "minutes": 60,
                        "status": "confirmed",
                        "created_at": NOW - dt.timedelta(weeks=3),
                        "decided_at": NOW - dt.timedelta(weeks=2),
                        "kind": "volunteer",
                    }
                    for i in ids
                    if i % 3 == 0
                ],
            )
            offs = [i for i in ids if i % 20 == 1]
            await session.execute(
                insert(NazorgPreference),
                [{"person_id": i, "nudges_off": True, "updated_at": NOW} for i in offs],
            )
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("SELECT setval('person_id_seq', (SELECT max(id) FROM person))"))
            await conn.execute(text("ANALYZE"))


async def run(engine: AsyncEngine, label: str, n: int) -> None:
    await migrate.upgrade(engine)
    started = time.perf_counter()
    await generate(engine, n)
    generated = time.perf_counter() - started
    sessions = create_session_factory(engine)
    i18n = build_i18n()
    with i18n.context(), i18n.use_locale("nl"):
        # 1. timed without tracemalloc (it slows allocation down a lot); 2. again from scratch
        # with tracemalloc for the peak; 3. the same day once more (claimed: nothing to do) and
        # the nudge core forced to re-check everyone (nothing new).
        for attempt in ("timed", "traced", "again"):
            if attempt == "traced":
                async with sessions.begin() as session:
                    await session.execute(text("DELETE FROM outbox"))
                    await session.execute(text("DELETE FROM nazorg_nudge"))
            if attempt != "timed":
                async with sessions.begin() as session:
                    await session.execute(text("DELETE FROM nazorg_sweep_run"))
                tracemalloc.start()
            begin = time.perf_counter()
            async with sessions.begin() as session:
                await nudge_sweep_run(session, NOW)
            took = time.perf_counter() - begin
            peak = tracemalloc.get_traced_memory()[1] if attempt != "timed" else 0
            tracemalloc.stop()
            async with sessions() as session:
                nudges = await session.scalar(select(func.count()).select_from(NazorgNudge))
                queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
            memory = f"peak {peak / 1e6:6.1f} MB" if attempt != "timed" else "no tracemalloc"
            print(
                f"{label:10} n={n}: generate {generated:6.1f} s; sweep ({attempt}) "
                f"{took:6.2f} s, {memory}; nudge rows {nudges}, outbox {queued}",
                flush=True,
            )


async def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        try:
            await run(engine, "sqlite", n)
        finally:
            await engine.dispose()
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        admin = await asyncio.wait_for(asyncpg.connect(dsn), 5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"postgresql skipped: {exc!r:.100}")
        return
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    engine = create_async_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await run(engine, "postgresql", n)
    finally:
        await engine.dispose()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
