"""Fixtures for the emulator tests: a running emulator, an HTTP session and a Bot API caller."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # the project is not installed in the venv
    sys.path.insert(0, _ROOT)

from simulator import DEFAULT_TOKEN, TelegramEmulator  # noqa: E402
from simulator.client import EmulatorClient  # noqa: E402

ApiCall = Callable[..., Awaitable[tuple[int, Any]]]


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(global_per_second=1000, per_chat_burst=1000)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def client(emu: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.base_url) as emu_client:
        yield emu_client


@pytest.fixture
def api(emu: TelegramEmulator, http: aiohttp.ClientSession) -> ApiCall:
    """``await api("sendMessage", chat_id=1, text="x")`` -> (HTTP status, JSON body)."""

    async def call(method: str, _token: str = DEFAULT_TOKEN, **params: Any) -> tuple[int, Any]:
        url = f"{emu.base_url}/bot{_token}/{method}"
        async with http.post(url, json=params) as resp:
            return resp.status, await resp.json()

    return call


@pytest.fixture
async def user_id(client: EmulatorClient) -> int:
    user = await client.create_user("Anna", last_name="de Vries", username="anna")
    return user.id
