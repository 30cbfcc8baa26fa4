"""Two updates of one person are handled one at a time, in order (event isolation)."""

from __future__ import annotations

from simulator.client import EmulatorClient
from tests.conftest import BotHarness


async def test_quick_messages_of_one_person_are_handled_in_order(
    harness: BotHarness, emu: EmulatorClient
):
    await harness.start()
    ivo = await emu.create_user("Ivo")
    # Both updates usually arrive in one getUpdates batch; the second must see the state the
    # first one committed.
    await ivo.send("/vraag")
    await ivo.send("Hoe laat begint de training?")
    assert "Wat is je vraag" in (await ivo.expect_message()).text
    assert "Zal ik hem" in (await ivo.expect_message()).text
