"""Reliability of the foundation: webhooks, duplicate updates, the error handler, health and
metrics, Redis for conversation state, and PostgreSQL as the database."""

from __future__ import annotations

import socket

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from simulator.client import EmulatorClient
from storage.models import ProcessedUpdate, Question
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.services import redis_url

SECRET = "s3cr3t-Token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_checks_the_secret_and_handles_each_update_once(
    harness: BotHarness, emu: EmulatorClient
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    await harness.start(web_port=port, webhook_url=url, webhook_secret=SECRET)
    info = await emu.webhook()
    assert info["url"] == url
    mila = await emu.create_user("Mila")
    await mila.send("/start")
    assert "Hoi Mila!" in (await mila.expect_message()).text

    update = {
        "update_id": 990001,
        "message": {
            "message_id": 77,
            "date": 1_700_000_000,
            "text": "/help",
            "chat": {"id": mila.id, "type": "private", "first_name": "Mila"},
            "from": {"id": mila.id, "is_bot": False, "first_name": "Mila"},
        },
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as resp:
            assert resp.status == 401  # no secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(2):  # Telegram delivers again when it is not sure: handled once
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 200
    assert "Dit kun je hier doen" in (await mila.expect_message()).text
    await mila.expect_no_message(within=0.5)
    # a restart with the same settings does not set the webhook again
    calls_before = len(await emu.calls(method="setWebhook"))
    await harness.restart()
    assert len(await emu.calls(method="setWebhook")) == calls_before


async def test_an_error_gets_a_dutch_apology_and_is_counted(
    harness: BotHarness, emu: EmulatorClient
):
    runtime = await harness.start()
    jan = await emu.create_user("Jan")
    await emu.inject_fault("sendMessage", 1, "error", status=400, chat_id=jan.id)
    await jan.send("/help")
    apology = await jan.expect_message()
    assert "Sorry, er ging bij ons iets mis" in apology.text and "/help" in apology.text
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{runtime.web_port}/metrics") as resp:
            metrics = await resp.text()
        async with http.get(f"http://127.0.0.1:{runtime.web_port}/healthz") as resp:
            health = await resp.json()
            assert resp.status == 200
    assert "bot_handler_errors_total 1.0" in metrics
    assert 'bot_updates_total{kind="message"}' in metrics
    assert health["ok"] is True and health["database"] == "ok"
    # the failing update is recorded, so a redelivery does not apologise again
    async with harness.app.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        assert count == 1


async def test_conversation_state_in_redis_survives_a_restart(
    harness: BotHarness, emu: EmulatorClient
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], redis_url=await redis_url())
    fleur = await emu.create_user("Fleur")
    await fleur.send("/vraag")
    await fleur.expect_message()
    await harness.restart()
    await fleur.send("Waar vind ik het rooster?")
    confirm = await fleur.expect_message()
    assert "Zal ik hem" in confirm.text
    await fleur.tap(confirm, "Versturen")
    assert "Verstuurd!" in (await fleur.expect_message()).text
    assert "rooster" in (await cor.expect_message()).text


async def test_the_bot_runs_on_postgresql(
    harness: BotHarness, emu: EmulatorClient, pg_engine: AsyncEngine
):
    cor = await emu.create_user("Cor")
    await harness.start(engine=pg_engine, admin_telegram_ids=[cor.id])
    assert harness.app.engine.dialect.name == "postgresql"
    lou = await emu.create_user("Lou")
    await lou.send("/vraag")
    await lou.expect_message()
    await lou.send("Is de cursus echt gratis?")
    confirm = await lou.expect_message()
    await lou.tap(confirm, "Versturen")
    assert "Verstuurd!" in (await lou.expect_message()).text
    note = await cor.expect_message()
    await cor.reply(note, "Ja, helemaal gratis.")
    assert "helemaal gratis" in (await lou.expect_message()).text

    async def answered() -> int:
        async with harness.app.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(Question)
                    .where(Question.answered_at.is_not(None))
                )
                or 0
            )

    await eventually(answered, lambda n: n == 1)


async def test_blocking_the_bot_is_noticed_without_sending(
    harness: BotHarness, emu: EmulatorClient
):
    await harness.start()
    sem = await emu.create_user("Sem")
    await sem.send("/start")
    await sem.expect_message()

    async def reachable() -> bool:
        from storage import people

        async with harness.app.sessions() as session:
            member = await people.find_member(session, people.TELEGRAM, str(sem.id))
            return member is not None and member.identity.reachable

    await sem.block_bot()
    await eventually(reachable, lambda ok: not ok)
    await sem.unblock_bot()
    await eventually(reachable, lambda ok: ok)


async def test_a_short_429_on_a_direct_answer_is_waited_out(
    harness: BotHarness, emu: EmulatorClient
):
    await harness.start()
    vera = await emu.create_user("Vera")
    await emu.inject_fault("sendMessage", 1, "429", retry_after=1, chat_id=vera.id)
    await vera.send("/help")
    assert "Dit kun je hier doen" in (await vera.expect_message(timeout=8)).text
