"""/kans: a coordinator posts an opportunity; the broadcast reaches every matching person once.

The 500-person broadcast runs at the real limits (the sender's 25 messages a second, the
emulator's 30 a second overall), so it takes about 20 s plus the injected 429 pause.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from sqlalchemy import func, select, update

from domain.roles import Role
from simulator.client import EmulatorClient
from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus
from storage.opportunities.models import (
    BroadcastStatus,
    OpportunityBroadcast,
    OpportunityRecipient,
)
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.opportunities.conftest import many_users, post_opportunity


async def _counts(harness: BotHarness) -> Counter[str]:
    async with harness.app.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.idempotency_key.like("op:%:to:%"))
            .group_by(OutboxMessage.status)
        )
        return Counter(dict(rows.all()))


async def _unreachable_count(harness: BotHarness) -> int:
    async with harness.app.sessions() as session:
        count = await session.scalar(
            select(func.count()).where(ChannelIdentity.reachable.is_(False))
        )
        return int(count or 0)


async def _delivered(emu: EmulatorClient) -> Counter[int]:
    """How many opportunity messages each chat received (from the emulator's call log)."""
    calls = await emu.calls("sendMessage")
    return Counter(
        int(c["params"]["chat_id"])
        for c in calls
        if str(c["params"].get("text", "")).startswith("<b>Kans: ") and c["ok"]
    )


async def test_small_broadcast_with_progress_and_report(
    harness: BotHarness, emu: EmulatorClient, seed
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    users = await many_users(emu, 6)
    await seed(users[:5], Role.CITYTRAINER)
    await seed(users[5:], Role.PARTICIPANT)  # not for a Citytrainers-only opportunity
    progress = await post_opportunity(cor, title="Sportdag <Noord>")
    assert "Bezig met versturen van <b>" not in progress.text
    assert "naar 5 mensen" in progress.text
    for user in users[:5]:
        card = await user.expect_message()
        assert "Kans: Sportdag <Noord>" in card.text
        assert card.buttons == ["Ik doe mee", "Meer info", "Niet voor mij"]
    await users[5].expect_no_message(within=0.3)
    report = await cor.expect_message(timeout=10)
    assert "Klaar" in report.text and "naar 5 van de 5 mensen" in report.text
    edited = await cor.expect_edit(progress, timeout=5)
    assert "Verstuurd: 5" in edited.text


async def test_broadcast_to_500_with_429_blocked_people_and_a_restart(
    harness: BotHarness, emu: EmulatorClient, seed
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], shutdown_timeout_seconds=1)
    users = []
    for chunk in range(10):
        users += await asyncio.gather(*(emu.create_user(f"Ct{chunk}-{n}") for n in range(50)))
    await seed(users, Role.CITYTRAINER)
    blocked = users[40:45]
    for user in blocked:
        await user.block_bot()
    # The bot hears of a block at once (my_chat_member); these five blocked it while that was
    # missed (say, long ago), so it learns only from the 403 of the broadcast itself.
    await eventually(lambda: _unreachable_count(harness), lambda n: n == 5)
    async with harness.app.sessions.begin() as session:
        await session.execute(update(ChannelIdentity).values(reachable=True))
    throttled = users[120]
    await emu.inject_fault("sendMessage", 1, "429", retry_after=2, chat_id=throttled.id)
    started = time.monotonic()
    progress = await post_opportunity(cor, title="Koningsdag", places=50)
    assert "naar 500 mensen" in progress.text

    # Crash mid-way: stop the bot with a short shutdown timeout once ~250 were sent, restart.
    await eventually(lambda: _counts(harness), lambda c: c[OutboxStatus.SENT] >= 250, within=40)
    await harness.stop()
    stopped = await _delivered(emu)
    assert 250 <= sum(stopped.values()) < 495
    await harness.start()
    report = await cor.expect_message(timeout=60)
    while "Klaar" not in (report.text or ""):
        report = await cor.expect_message(timeout=60)
    elapsed = time.monotonic() - started
    assert "naar 495 van de 500 mensen" in report.text
    assert "Niet bereikbaar (bot geblokkeerd): 5" in report.text and "Mislukt: 0" in report.text

    # Nobody twice, nobody forgotten; the blocked people were not retried and are unreachable.
    delivered = await _delivered(emu)
    expected = {u.id for u in users} - {u.id for u in blocked}
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}
    calls = await emu.calls("sendMessage")
    for user in blocked:
        attempts = [c for c in calls if int(c["params"].get("chat_id", 0)) == user.id]
        assert len(attempts) == 1 and attempts[0]["status"] == 403
    assert await _unreachable_count(harness) == 5
    async with harness.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OpportunityRecipient)) == 500
        broadcast = await session.scalar(select(OpportunityBroadcast))
        assert broadcast is not None and broadcast.status is BroadcastStatus.DONE

    # The 429 paused the whole broadcast lane for its retry_after: no card went out meanwhile.
    cards = [c for c in calls if str(c["params"].get("text", "")).startswith("<b>Kans: ")]
    throttle = next(c for c in cards if c["status"] == 429)
    paused = [c for c in cards if throttle["time"] < c["time"] < throttle["time"] + 1.9]
    assert paused == []
    retried = [c for c in cards if int(c["params"]["chat_id"]) == throttled.id and c["ok"]]
    assert len(retried) == 1 and retried[0]["time"] >= throttle["time"] + 2
    # The progress message was edited while it ran, not for every message.
    edits = [c for c in await emu.calls("editMessageText") if int(c["params"]["chat_id"]) == cor.id]
    assert 2 <= len(edits) <= elapsed / 2
    print(f"500 broadcast took {elapsed:.1f} s with {len(edits)} progress edits")
