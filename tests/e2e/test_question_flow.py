"""/vraag: a person asks, the coordinator is notified through the outbox and answers by reply."""

from __future__ import annotations

from sqlalchemy import func, select

from simulator.client import EmulatorClient, TestUser
from storage.models import ChannelIdentity, OutboxMessage, Question
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually


async def ask(user: TestUser, question: str) -> None:
    await user.send("/vraag")
    assert "Wat is je vraag" in (await user.expect_message()).text
    await user.send(question)
    confirm = await user.expect_message()
    assert "Zal ik hem naar de coördinator sturen?" in confirm.text
    await user.tap(confirm, "Versturen")
    assert "Verstuurd!" in (await user.expect_message()).text


async def test_question_reaches_coordinator_and_answer_comes_back(
    harness: BotHarness, emu: EmulatorClient
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    sanne = await emu.create_user("<Sanne & Co>")
    await ask(sanne, "Wanneer begint de <volgende> cursus?")
    note = await cor.expect_message()
    assert "van <Sanne & Co>" in note.text and "Wanneer begint de <volgende> cursus?" in note.text
    await cor.reply(note, "Op 3 maart, om 19:00 uur!")
    assert "onderweg" in (await cor.expect_message()).text
    answer = await sanne.expect_message()
    assert "Op 3 maart, om 19:00 uur!" in answer.text

    async def answered() -> bool:
        async with harness.app.sessions() as session:
            question = await session.scalar(select(Question))
            return question is not None and question.answered_at is not None

    await eventually(answered, lambda ok: ok)


async def test_bad_input_is_explained_and_the_flow_goes_on(
    harness: BotHarness, emu: EmulatorClient
):
    await harness.start()
    tom = await emu.create_user("Tom")
    await tom.send("/vraag")
    await tom.expect_message()
    await tom.send("hé")
    assert "erg kort" in (await tom.expect_message()).text
    await tom.send("x" * 1001)
    assert "te lang" in (await tom.expect_message()).text
    await tom.send_photo()
    assert "als tekst" in (await tom.expect_message()).text
    await tom.send("Mag ik ook meedoen als ik 15 ben?")
    confirm = await tom.expect_message()
    await tom.send("ja")
    assert "Versturen" in (await tom.expect_message()).text
    await tom.tap(confirm, "Aanpassen")
    assert "opnieuw" in (await tom.expect_message()).text
    await tom.send("Mag ik ook meedoen als ik bijna 15 ben?")
    confirm = await tom.expect_message()
    assert "bijna 15" in confirm.text
    await tom.send("/cancel")
    assert "gestopt" in (await tom.expect_message()).text
    answer = await tom.tap(confirm, "Versturen")
    assert answer is not None and "al verstuurd of gestopt" in answer.text


async def test_restart_mid_conversation_resumes_the_flow(harness: BotHarness, emu: EmulatorClient):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    eva = await emu.create_user("Eva")
    await eva.send("/vraag")
    await eva.expect_message()
    await harness.restart()
    await eva.send("Kan ik ook in de zomer beginnen?")
    confirm = await eva.expect_message()
    assert "Zal ik hem" in confirm.text
    await harness.restart()
    await eva.tap(confirm, "Versturen")
    assert "Verstuurd!" in (await eva.expect_message()).text
    assert "zomer" in (await cor.expect_message()).text


async def test_a_429_delays_but_does_not_lose_the_notification(
    harness: BotHarness, emu: EmulatorClient
):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    ali = await emu.create_user("Ali")
    await ali.send("/vraag")
    await ali.expect_message()
    await ali.send("Hoeveel uur moet ik stage lopen?")
    confirm = await ali.expect_message()
    await emu.inject_fault("sendMessage", 2, "429", retry_after=1, chat_id=cor.id)
    await ali.tap(confirm, "Versturen")
    assert "stage lopen" in (await cor.expect_message(timeout=8)).text
    row = await eventually(
        lambda: _first_outbox(harness), lambda r: r is not None and r.status == "sent"
    )
    assert row is not None
    assert row.attempts == 3 and "429" in (row.last_error or "")


async def test_a_403_marks_the_person_unreachable(harness: BotHarness, emu: EmulatorClient):
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    # Cor blocked the bot without the bot noticing (no my_chat_member update): Telegram
    # answers the next message to Cor with 403.
    await emu.inject_fault("sendMessage", 1, "blocked", chat_id=cor.id)
    bo = await emu.create_user("Bo")
    await ask(bo, "Waar kan ik me aanmelden?")
    row = await eventually(
        lambda: _first_outbox(harness), lambda r: r is not None and r.status == "unreachable"
    )
    assert row is not None
    assert "blocked" in (row.last_error or "")
    async with harness.app.sessions() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == str(cor.id))
        )
        assert identity is not None and identity.reachable is False
    # a second question is saved, and no message is queued for the blocked coordinator
    await bo.send("/vraag")
    await bo.expect_message()
    await bo.send("Nog een vraag over de cursus")
    confirm = await bo.expect_message()
    await bo.tap(confirm, "Versturen")
    assert "geen coördinator bereikbaar" in (await bo.expect_message()).text
    await eventually(lambda: _count(harness, Question), lambda n: n == 2)
    assert await _count(harness, OutboxMessage) == 1
    # talking to the bot again makes the coordinator reachable again
    await cor.send("/start")
    await cor.expect_message()
    await eventually(lambda: _reachable(harness, cor.id), lambda ok: ok)


async def _first_outbox(harness: BotHarness) -> OutboxMessage | None:
    async with harness.app.sessions() as session:
        return await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))


async def _count(harness: BotHarness, model: type) -> int:
    async with harness.app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _reachable(harness: BotHarness, telegram_id: int) -> bool:
    async with harness.app.sessions() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == str(telegram_id))
        )
        return identity is not None and identity.reachable


async def test_an_answer_telegram_refuses_is_reported_to_the_coordinator(
    harness: BotHarness, emu: EmulatorClient
):
    """Issue 12: a coordinator's answer was "onderweg" and then silently failed."""
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    sanne = await emu.create_user("Sanne")
    await ask(sanne, "Wanneer begint de volgende cursus?")
    note = await cor.expect_message()
    await emu.inject_fault("sendMessage", 1, "error", status=400, chat_id=sanne.id)
    await cor.reply(note, "Op 3 maart!")
    assert "onderweg" in (await cor.expect_message()).text
    report = await cor.expect_message()
    assert report.text == "Je bericht aan Sanne kon niet worden bezorgd."
    await sanne.expect_no_message(within=0.3)
