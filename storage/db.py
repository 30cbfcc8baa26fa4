"""Engine and session factory for SQLite (WAL, foreign keys on) and PostgreSQL (asyncpg).

Engines hide the parameters of statements in their errors and logs (`hide_parameters`): a
failing INSERT must not write a child's name or answers into the logs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; for a SQLite file, make its folder and switch on WAL."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if is_sqlite(url):
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key for `name`: the same in every process (unlike `hash`)."""
    digest = hashlib.blake2b(f"citytrainers.sweep:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def try_lock(session: AsyncSession | AsyncConnection, name: str) -> bool:
    """Take the transaction's advisory lock `name` if no other replica holds it (PostgreSQL;
    released at commit or rollback); elsewhere (SQLite: one process) always True."""
    if _dialect(session) != "postgresql":
        return True
    query = text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool(await session.scalar(query, {"key": lock_key(name)}))


async def wait_lock(session: AsyncSession | AsyncConnection, name: str) -> None:
    """Wait for the transaction's advisory lock `name` (PostgreSQL; no-op elsewhere): replicas
    starting at once migrate and create the first programme one after the other."""
    if _dialect(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def _dialect(session: AsyncSession | AsyncConnection) -> str:
    if isinstance(session, AsyncSession):
        return session.get_bind().dialect.name
    return session.dialect.name
