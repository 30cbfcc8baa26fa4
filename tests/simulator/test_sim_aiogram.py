"""The real aiogram Bot talks to the emulator exactly as it talks to Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from simulator.client import EmulatorClient
from simulator.server import TelegramEmulator


@pytest.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    bot = Bot(emu.default_token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_aiogram_round_trip(bot: Bot, client: EmulatorClient) -> None:
    me = await bot.get_me()
    assert me.username == "citytrainers_test_bot"
    anna = await client.create_user("Anna", last_name="de Vries")

    await anna.send("/start")
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.first_name == "Anna"
    offset = updates[-1].update_id + 1

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Aanmelden", callback_data="signup")]]
    )
    sent = await bot.send_message(anna.id, "<b>Welkom</b> bij Citytrainers", reply_markup=keyboard)
    assert sent.text == "Welkom bij Citytrainers"
    assert sent.entities and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None

    msg = await anna.expect_message()
    assert msg.buttons == ["Aanmelden"]
    assert msg.text == "Welkom bij Citytrainers"

    tap = await anna.tap(msg, "Aanmelden", answer_timeout=0)
    assert tap is None
    updates = await bot.get_updates(offset=offset, timeout=1)
    query = updates[0].callback_query
    assert query is not None and query.data == "signup"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Gelukt!", show_alert=True)
    transcript = await client.transcript(anna.id)
    answers = [e for e in transcript["events"] if e["type"] == "callback_answer"]
    assert answers[0]["text"] == "Gelukt!" and answers[0]["show_alert"] is True

    edited = await bot.edit_message_text(
        "Je bent <i>aangemeld</i>", chat_id=anna.id, message_id=sent.message_id
    )
    assert not isinstance(edited, bool) and edited.text == "Je bent aangemeld"
    new_state = await anna.expect_edit(msg)
    assert new_state.text == "Je bent aangemeld"
    assert new_state.buttons == []

    doc = await bot.send_document(
        anna.id, BufferedInputFile(b"%PDF-1.4 test", filename="rooster.pdf"), caption="Rooster"
    )
    assert doc.document is not None and doc.document.file_name == "rooster.pdf"
    assert doc.document.file_size == len(b"%PDF-1.4 test")
    doc_msg = await anna.expect_message()
    assert doc_msg.document is not None and doc_msg.text == "Rooster"
    assert await client.download(doc_msg) == b"%PDF-1.4 test"
    file = await bot.get_file(doc.document.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4 test"

    scope = BotCommandScopeChat(chat_id=anna.id)
    commands = [BotCommand(command="start", description="Begin opnieuw")]
    assert await bot.set_my_commands(commands, scope=scope, language_code="nl")
    got = await bot.get_my_commands(scope=scope, language_code="nl")
    assert [(c.command, c.description) for c in got] == [("start", "Begin opnieuw")]
    stored = await client.commands(scope={"type": "chat", "chat_id": anna.id}, language_code="nl")
    assert stored == [{"command": "start", "description": "Begin opnieuw"}]


async def test_aiogram_sees_telegram_errors(bot: Bot, client: EmulatorClient) -> None:
    anna = await client.create_user("Anna")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(anna.id, "<Sanne & Co>")
    await client.inject_fault("sendMessage", 1, "429", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as exc_info:
        await bot.send_message(anna.id, "x")
    assert exc_info.value.retry_after == 3
    await anna.block_bot()
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(anna.id, "x")
    await anna.unblock_bot()
    updates = await bot.get_updates()
    kinds = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert kinds == ["kicked", "member"]
