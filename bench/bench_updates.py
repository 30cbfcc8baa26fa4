"""Update handling, measured from outside and side by side with a bare aiogram echo bot.

Each contestant runs as its own process against its own emulator process (rate limits lifted,
so the bot, not the emulator, is measured). 100 people each send 5 texts, one after the other
(the next when the answer came), all people at once: 500 updates. Reported: updates a second,
p50 and p99 of the time from sending a text to receiving the answer, and the ratio to the echo
bot in the same run. The bot answers a plain "hallo" outside any flow (the fallback), with all
its database work (member, state, dedupe), on SQLite and on PostgreSQL when it is reachable.

Usage: python bench/bench_updates.py [PEOPLE] [MESSAGES_EACH]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.client import EmulatorClient, TestUser  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "424242424:AAbenchmarkTokenForTheUpdatesBench0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def process(*args: str, env: dict[str, str] | None = None) -> AsyncIterator[None]:
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def emulator_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            async with EmulatorClient(base) as client:
                await client.info()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def answered(user: TestUser, text: str) -> float:
    started = time.perf_counter()
    await user.send(text)
    await user.expect_message(timeout=60)
    return time.perf_counter() - started


async def workload(base: str, people: int, each: int) -> tuple[float, list[float]]:
    async with EmulatorClient(base) as client:
        users = [await client.create_user(f"P{i}") for i in range(people)]
        # warm-up: one answer each way, so start-up and first connections are not measured
        await asyncio.gather(*(answered(u, "hallo") for u in users[:5]))

        async def person(user: TestUser) -> list[float]:
            return [await answered(user, f"hallo {n}") for n in range(each)]

        started = time.perf_counter()
        results = await asyncio.gather(*(person(u) for u in users))
        elapsed = time.perf_counter() - started
    return elapsed, [latency for result in results for latency in result]


def bot_env(database_url: str, api_base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=api_base,
        PUBLIC_BASE_URL="https://citytrainers.example",
        DATABASE_URL=database_url,
        WEB_PORT=str(free_port()),
        LOG_LEVEL="WARNING",
    )
    return env


async def pg_database() -> str | None:
    try:
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except Exception:
        return None
    name = f"bench_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def drop_pg(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def run_bot(label: str, url: str, people: int, each: int):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    emulator = [sys.executable, "-m", "simulator", "--port", str(port), "--token", TOKEN]
    limits = ["--global-per-second", "100000", "--per-chat-burst", "100000"]
    async with process(*emulator, *limits, "--per-chat-refill", "100000"):
        await emulator_ready(base)
        async with process(sys.executable, "-m", "bot", "run", env=bot_env(url, base)):
            elapsed, latencies = await workload(base, people, each)
    return summarise(label, elapsed, latencies)


async def run_echo(people: int, each: int):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    emulator = [sys.executable, "-m", "simulator", "--port", str(port), "--token", TOKEN]
    limits = ["--global-per-second", "100000", "--per-chat-burst", "100000"]
    async with process(*emulator, *limits, "--per-chat-refill", "100000"):
        await emulator_ready(base)
        echo = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), base, TOKEN]
        async with process(*echo):
            elapsed, latencies = await workload(base, people, each)
    return summarise("echo bot", elapsed, latencies)


def summarise(
    label: str, elapsed: float, latencies: list[float]
) -> tuple[str, float, float, float]:
    latencies.sort()
    p99_index = max(int(len(latencies) * 0.99) - 1, 0)
    return (
        label,
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[p99_index] * 1000,
    )


async def main(people: int, each: int) -> None:
    results = [await run_echo(people, each)]
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            await run_bot("bot/SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", people, each)
        )
    name = await pg_database()
    if name is not None:
        try:
            url = PG_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
            results.append(await run_bot("bot/PostgreSQL", f"{url}/{name}", people, each))
        finally:
            await drop_pg(name)
    echo_rate = results[0][1]
    print(f"updates: {people} people x {each} texts, answered one after the other per person")
    for label, rate, p50, p99 in results:
        print(
            f"  {label:14} {rate:7.1f} updates/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
            f"  ({rate / echo_rate:4.2f} x echo)"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [100, 5][len(args) :])))
