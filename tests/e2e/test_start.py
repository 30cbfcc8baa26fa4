"""First contact: /start, /help, /privacy, /cancel and the hints for anything else."""

from __future__ import annotations

from simulator.client import EmulatorClient
from tests.conftest import BotHarness


async def test_start_welcomes_in_dutch_with_a_menu(harness: BotHarness, emu: EmulatorClient):
    await harness.start()
    anna = await emu.create_user("Anna")
    await anna.send("/start")
    welcome = await anna.expect_message()
    assert "Hoi Anna!" in welcome.text
    assert "vanaf 14 jaar" in welcome.text
    assert {"Vraag stellen", "Hulp", "Privacy"} <= set(welcome.buttons)


async def test_html_breaking_name_is_escaped(harness: BotHarness, emu: EmulatorClient):
    await harness.start()
    sanne = await emu.create_user("<Sanne & Co>")
    await sanne.send("/start")
    welcome = await sanne.expect_message()
    assert "Hoi <Sanne & Co>!" in welcome.text


async def test_help_privacy_and_menu_buttons(harness: BotHarness, emu: EmulatorClient):
    await harness.start()
    piet = await emu.create_user("Piet")
    await piet.send("/help")
    help_text = (await piet.expect_message()).text
    assert "/vraag" in help_text and "/privacy" in help_text
    assert "/status" not in help_text  # coordinators only
    await piet.press("Privacy")
    privacy = (await piet.expect_message()).text
    assert "Wat we bewaren" in privacy and "verwijderen" in privacy
    await piet.press("Hulp")
    assert "Dit kun je hier doen" in (await piet.expect_message()).text


async def test_anything_else_gets_a_hint_never_silence(harness: BotHarness, emu: EmulatorClient):
    await harness.start()
    kim = await emu.create_user("Kim")
    await kim.send("hallo?")
    assert "/help" in (await kim.expect_message()).text
    await kim.send("/onbekend")
    assert "Dat commando ken ik niet" in (await kim.expect_message()).text
    await kim.send_sticker()
    assert "alleen tekst en knoppen" in (await kim.expect_message()).text
    await kim.send("/cancel")
    assert "nergens mee bezig" in (await kim.expect_message()).text


async def test_unknown_deep_link_explains_and_welcomes(harness: BotHarness, emu: EmulatorClient):
    await harness.start()
    lisa = await emu.create_user("Lisa")
    await lisa.send("/start bestaat-niet_123")
    assert "werkt niet (meer)" in (await lisa.expect_message()).text
    assert "Hoi Lisa!" in (await lisa.expect_message()).text


async def test_commands_are_published_per_role(harness: BotHarness, emu: EmulatorClient):
    coordinator = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[coordinator.id])
    published = {
        (c["scope"]["type"], c["scope"].get("chat_id")): [x["command"] for x in c["commands"]]
        for c in await emu.commands()
    }
    assert "status" not in published[("default", None)]
    assert "vraag" in published[("default", None)]
    assert "status" in published[("chat", coordinator.id)]
    await coordinator.send("/status")
    assert "Status van de bot" in (await coordinator.expect_message()).text
