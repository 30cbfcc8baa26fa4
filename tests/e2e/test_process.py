"""The bot as a real process: local mode, SIGTERM, a kill in the middle of handling an update,
configuration errors and the command line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.kit.config import LOCAL_BOT_TOKEN
from domain.roles import Role
from simulator.client import EmulatorClient
from simulator.server import TelegramEmulator
from storage import people
from storage.db import create_engine, create_session_factory
from tests.conftest import TOKEN
from tests.e2e.helpers import eventually

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        WEB_PORT=str(free_port()),
        LOG_LEVEL="INFO",
        SHUTDOWN_TIMEOUT_SECONDS="5",
    )
    env.update(extra)
    if "TELEGRAM_BOT_TOKEN" in extra:  # run with a token needs a public https address
        env.setdefault("PUBLIC_BASE_URL", "https://citytrainers.example")
    return env


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def read_until(proc: asyncio.subprocess.Process, needle: str, within: float = 20) -> str:
    assert proc.stdout is not None
    seen = []
    async with asyncio.timeout(within):
        while True:
            line = (await proc.stdout.readline()).decode()
            if not line:
                raise AssertionError("bot exited:\n" + "".join(seen))
            seen.append(line)
            if needle in line:
                return "".join(seen)


async def stop(proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> int:
    if proc.returncode is None:
        proc.send_signal(sig)
    async with asyncio.timeout(20):
        await proc.communicate()
    return proc.returncode if proc.returncode is not None else -1


@pytest.fixture
async def emulator_for_process() -> AsyncIterator[TelegramEmulator]:
    emu = TelegramEmulator(default_token=TOKEN)
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


async def test_local_mode_serves_the_web_chat_and_welcomes(tmp_path: Path):
    emulator_port = free_port()
    env = bot_env(tmp_path, EMULATOR_PORT=str(emulator_port))
    proc = await start_bot(env, tmp_path)
    try:
        output = await read_until(proc, "Local mode: open")
        base = f"http://127.0.0.1:{emulator_port}"
        assert f"{base}/" in output
        async with aiohttp.ClientSession() as http, http.get(base + "/") as page:
            assert page.status == 200 and "<html" in (await page.text()).lower()
        async with EmulatorClient(base, token=LOCAL_BOT_TOKEN) as emu:
            noor = await emu.create_user("Noor")
            await noor.send("/start")
            assert "Hoi Noor!" in (await noor.expect_message(timeout=10)).text
    finally:
        code = await stop(proc)
    assert code == 0


async def test_sigterm_stops_cleanly(tmp_path: Path, emulator_for_process: TelegramEmulator):
    env = bot_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=emulator_for_process.base_url
    )
    proc = await start_bot(env, tmp_path)
    await read_until(proc, "running; web server")
    assert await stop(proc, signal.SIGTERM) == 0


async def test_kill_mid_handling_loses_no_update(
    tmp_path: Path, emulator_for_process: TelegramEmulator
):
    env = bot_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=emulator_for_process.base_url
    )
    async with EmulatorClient(emulator_for_process.base_url) as emu:
        rosa = await emu.create_user("Rosa")
        # The bot's answer hangs: the process is killed while it is handling the update.
        await emu.inject_fault("sendMessage", 1, "timeout", hang_seconds=30, chat_id=rosa.id)
        proc = await start_bot(env, tmp_path)
        await read_until(proc, "running; web server")
        await rosa.send("/vraag")
        # wait until the answer is hanging in the emulator (the fault was used)
        await eventually(lambda: emu.get("/faults"), lambda faults: not faults, within=10)
        proc.kill()
        await proc.wait()
        await emu.clear_faults()
        proc = await start_bot(env, tmp_path)
        try:
            ask = await rosa.expect_message(timeout=15)
            assert "Wat is je vraag" in ask.text
            await rosa.send("Hoe lang duurt de cursus?")
            assert "Zal ik hem" in (await rosa.expect_message(timeout=10)).text
            await rosa.expect_no_message(within=0.5)
        finally:
            assert await stop(proc) == 0


def run_cli(tmp_path: Path, *args: str, **env_extra: str) -> tuple[int, str, str]:
    import subprocess

    env = bot_env(tmp_path, **env_extra)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://localhost/x"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
        ("WEB_PORT", "eighty"),
        ("WEBHOOK_URL", "https://example.org/hook"),
    ],
)
def test_a_wrong_setting_gives_one_clear_line_and_exit_2(tmp_path: Path, name: str, value: str):
    code, _out, err = run_cli(tmp_path, "run", **{name: value})
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in err


def test_every_command_has_help(tmp_path: Path):
    for args in (
        ["--help"],
        ["run", "--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["admin", "add-coordinator", "--help"],
    ):
        code, out, _ = run_cli(tmp_path, *args)
        assert code == 0 and "usage:" in out


async def test_db_upgrade_and_add_coordinator(tmp_path: Path):
    code, out, err = run_cli(tmp_path, "db", "upgrade")
    assert code == 0, err
    code, out, err = run_cli(tmp_path, "admin", "add-coordinator", "4242", "--programme", "Breda")
    assert code == 0 and "is now a coordinator of Breda" in out, err
    code, out, _ = run_cli(tmp_path, "admin", "add-coordinator", "4242", "--programme", "Breda")
    assert "was already" in out
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    try:
        async with create_session_factory(engine)() as session:
            member = await people.find_member(session, people.TELEGRAM, "4242")
            assert member is not None and Role.COORDINATOR in member.roles
            programme = await people.get_programme(session, "Breda")
            assert programme is not None and member.programme_id == programme.id
            assert await session.scalar(select(people.Programme.name).limit(1)) == "Breda"
    finally:
        await engine.dispose()


def test_the_docker_entrypoint_migrates_then_runs_the_command(tmp_path: Path):
    import subprocess

    env = bot_env(tmp_path)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    done = subprocess.run(
        [
            "sh",
            str(ROOT / "docker-entrypoint.sh"),
            "admin",
            "add-coordinator",
            "7",
            "--programme",
            "Dordrecht",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "database is up to date"
    assert "is now a coordinator of Dordrecht" in done.stdout
