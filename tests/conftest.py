"""Shared fixtures: databases (SQLite, PostgreSQL), the emulator, and the real bot."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.factory import App, build_app
from bot.app.runtime import Runtime
from bot.features import all_features
from bot.kit.clock import Clock, ManualClock, ShiftedClock
from bot.kit.config import Settings
from bot.kit.feature import Feature
from simulator.client import EmulatorClient
from simulator.server import TelegramEmulator
from storage.db import create_engine
from tests.services import postgres_schema_engine

TOKEN = "123456789:AAEmulatorTokenForCitytrainersTests"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    async for engine in postgres_schema_engine():
        yield engine


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        sqlite = create_engine(sqlite_url)
        yield sqlite
        await sqlite.dispose()
    else:
        async for pg in postgres_schema_engine():
            yield pg


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    emu = TelegramEmulator(default_token=TOKEN)
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
async def emu(emulator: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url) as client:
        yield client


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def daytime_clock() -> ShiftedClock:
    """Real time, but from noon (Amsterdam) today: a test's outcome never depends on whether it
    runs inside the quiet hours for minors (21:00-08:00), as CI may."""
    today = dt.datetime.now(AMSTERDAM).date()
    return ShiftedClock(dt.datetime.combine(today, dt.time(12, 0), AMSTERDAM))


class BotHarness:
    """Starts the real bot (polling over HTTP against the emulator), stops and restarts it."""

    def __init__(self, emulator: TelegramEmulator, database_url: str) -> None:
        self.emulator = emulator
        self.database_url = database_url
        self.engine: AsyncEngine | None = None
        self.runtime: Runtime | None = None
        self.clock: Clock = daytime_clock()
        self.overrides: dict[str, Any] = {}
        self.features: tuple[Feature, ...] = all_features()

    @property
    def app(self) -> App:
        assert self.runtime is not None, "start the bot first"
        return self.runtime.app

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base": self.emulator.base_url,
            "database_url": self.database_url,
            "web_port": 0,
            "sweep_seconds": 300,
            "outbox_poll_seconds": 0.2,
            "shutdown_timeout_seconds": 5,
        }
        values.update(self.overrides)
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    async def start(
        self,
        *,
        engine: AsyncEngine | None = None,
        clock: Clock | None = None,
        features: Sequence[Feature] | None = None,
        **overrides: Any,
    ) -> Runtime:
        """Start the bot; `features` (default: every feature) are kept for restarts."""
        if clock is not None:
            self.clock = clock
        if features is not None:
            self.features = tuple(features)
        self.overrides.update(overrides)
        app = build_app(
            self.settings(), self.features, clock=self.clock, engine=engine or self.engine
        )
        self.engine = None  # an engine handed in is disposed with the app
        self.runtime = Runtime(app, poll_timeout=10)
        await self.runtime.start()
        return self.runtime

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def restart(self) -> Runtime:
        await self.stop()
        return await self.start()


@pytest.fixture
async def harness(emulator: TelegramEmulator, sqlite_url: str) -> AsyncIterator[BotHarness]:
    h = BotHarness(emulator, sqlite_url)
    yield h
    await h.stop()


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
