"""Nobody waits for somebody else: while the answer to one person hangs, others are answered;
one person's updates are still handled in order, and the hanging update is not confirmed to
Telegram before it is done. Every wait is for an event (a message, a fault taken), not a time."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from simulator.client import EmulatorClient, TestUser
from simulator.server import TelegramEmulator
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually


async def hang_next_answer(emu: EmulatorClient, user: TestUser) -> None:
    """The bot's next sendMessage to `user` hangs (until `release_hanging_calls`)."""
    await emu.inject_fault("sendMessage", 1, "timeout", hang_seconds=60, chat_id=user.id)


async def until_hanging(emu: EmulatorClient) -> None:
    """The injected fault was taken: the bot's call is hanging now."""
    await eventually(lambda: emu.get("/faults"), lambda faults: faults == [], within=10)


def release_hanging_calls(emulator: TelegramEmulator) -> None:
    """End every hanging call now (it answers 504, as a gateway giving up would); the emulator
    goes on as before."""
    emulator.world.closing.set()
    emulator.world.closing.clear()


async def unconfirmed_from(emulator: TelegramEmulator, user: TestUser) -> list[dict[str, Any]]:
    """Updates of `user` that the bot has not confirmed to Telegram (getUpdates offset)."""
    return [
        u
        for u in emulator.bot().updates
        if u.get("message", {}).get("from", {}).get("id") == user.id
    ]


async def bot_messages_after(emu: EmulatorClient, user: TestUser) -> list[dict[str, Any]]:
    events = await emu.events(user.id, after=user.cursor)
    return [e for e in events if e["type"] == "message" and e["sender"] == "bot"]


async def test_a_start_is_answered_while_someone_elses_answer_hangs(
    harness: BotHarness, emu: EmulatorClient, emulator: TelegramEmulator
):
    await harness.start()
    ada, bas = await emu.create_user("Ada"), await emu.create_user("Bas")
    await hang_next_answer(emu, ada)
    await ada.send("/help")
    await until_hanging(emu)

    await bas.send("/start")
    # before, Bas waited until Ada's call gave up (the poller waited for the whole batch)
    assert "Hoi Bas!" in (await bas.expect_message(timeout=10)).text
    assert await bot_messages_after(emu, ada) == []  # Ada's answer still hangs...
    assert await unconfirmed_from(emulator, ada)  # ...so her update is not confirmed to Telegram

    release_hanging_calls(emulator)
    assert "Sorry, er ging bij ons iets mis" in (await ada.expect_message(timeout=10)).text
    # handled (the failure recorded): now it is confirmed
    await eventually(lambda: unconfirmed_from(emulator, ada), lambda left: not left, within=10)


async def test_on_postgresql_a_hanging_answer_after_a_write_holds_up_nobody(
    harness: BotHarness, emu: EmulatorClient, emulator: TelegramEmulator, pg_engine: AsyncEngine
):
    """Ada's /start stores her before it answers; with PostgreSQL that holds no one up. (SQLite
    has one writer: there Bas's write would wait until Ada's transaction ends.)"""
    await harness.start(engine=pg_engine)
    ada, bas = await emu.create_user("Ada"), await emu.create_user("Bas")
    await hang_next_answer(emu, ada)
    await ada.send("/start")
    await until_hanging(emu)
    await bas.send("/start")
    assert "Hoi Bas!" in (await bas.expect_message(timeout=10)).text
    assert await bot_messages_after(emu, ada) == []
    assert await unconfirmed_from(emulator, ada)
    release_hanging_calls(emulator)
    assert "Sorry, er ging bij ons iets mis" in (await ada.expect_message(timeout=10)).text


async def test_one_persons_quick_messages_are_handled_in_order(
    harness: BotHarness, emu: EmulatorClient, emulator: TelegramEmulator
):
    await harness.start()
    ivo, bas = await emu.create_user("Ivo"), await emu.create_user("Bas")
    await ivo.send("/start")
    assert "Hoi Ivo!" in (await ivo.expect_message()).text
    await hang_next_answer(emu, ivo)
    await ivo.send("/help")
    await until_hanging(emu)
    for text in ("/privacy", "/start", "hallo?", "/cancel"):
        await ivo.send(text)
    sent = time.time()
    # the bot has taken Ivo's four in (a getUpdates asked after they were sent), and Bas, who
    # wrote after them, is answered: had Ivo's four not waited for his first, they were too
    await eventually(
        lambda: emu.calls(method="getUpdates"),
        lambda calls: any(call["time"] > sent for call in calls),
        within=10,
    )
    await bas.send("/help")
    assert "Dit kun je hier doen" in (await bas.expect_message(timeout=10)).text
    assert await bot_messages_after(emu, ivo) == []

    release_hanging_calls(emulator)
    assert "Sorry, er ging bij ons iets mis" in (await ivo.expect_message(timeout=10)).text
    assert "Wat we bewaren" in (await ivo.expect_message()).text
    assert "Hoi Ivo!" in (await ivo.expect_message()).text
    assert "/help" in (await ivo.expect_message()).text
    assert "nergens mee bezig" in (await ivo.expect_message()).text
    await ivo.expect_no_message(within=0.3)
