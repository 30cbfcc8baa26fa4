"""Every outgoing text is checked (issue 12): outbox rows when queued (`bot.kit.notify`), direct
answers by the bot's request middleware (`bot.app.outgoing`)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import (
    EditMessageText,
    Response,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)

from bot.app.outgoing import OutgoingTextMiddleware
from bot.kit import notify, texts
from bot.kit.telegram_html import TelegramHTMLError
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Ok", callback_data="x")]]
)
LONG = "\n".join(f"#{i} <b>Sanne &amp; Co</b>, 01-03-2026: 1,5 uur" for i in range(300))


# --- outbox rows ---------------------------------------------------------------------------------


def test_an_unescaped_interpolation_is_refused_when_queued() -> None:
    with pytest.raises(TelegramHTMLError):
        notify.message_payload("Uitnodiging voor groep {group}".format(group="<Noord & Zuid>"))
    with pytest.raises(texts.TextEmpty):
        notify.message_payload("<b> </b>")
    with pytest.raises(TelegramHTMLError):
        notify.document_payload("x.pdf", b"%PDF", caption="<Groep>")
    with pytest.raises(texts.TextTooLong):
        notify.one_message_payload(LONG)


def test_a_long_message_becomes_several_rows_with_the_buttons_on_the_last() -> None:
    payload = notify.message_payload(LONG, MARKUP, silent=True)
    parts = notify.parts(payload)
    assert len(parts) == 3
    for part in parts:
        texts.check(part["text"])
        assert part["disable_notification"] is True
    assert [("reply_markup" in part) for part in parts] == [False, False, True]
    assert "".join(texts.visible(p["text"]) for p in parts).replace("\n", "") == texts.visible(
        LONG
    ).replace("\n", "")
    assert [notify.part_key("k", n) for n in (1, 2, 3)] == ["k", "k:2", "k:3"]
    assert notify.parts(notify.message_payload("kort")) == [{"text": "kort"}]


def test_a_long_edit_or_caption_is_cut_short(caplog: pytest.LogCaptureFixture) -> None:
    [edit] = notify.parts({"message_id": 1, "text": LONG}, "editMessageText")
    assert texts.check(edit["text"]) <= 4096 and edit["text"].endswith("…")
    [doc] = notify.parts({"document": {}, "caption": "x" * 2000}, "sendDocument")
    assert texts.length(doc["caption"]) == 1024
    assert "cut short" in caplog.text
    with pytest.raises(TelegramHTMLError):
        notify.parts({"message_id": 1, "text": "<b>"}, "editMessageText")


def test_rows_split_too() -> None:
    now = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    rows = notify.rows(chat_id="1", payload={"text": LONG}, key="nudge:1", now=now)
    assert [r["idempotency_key"] for r in rows] == ["nudge:1", "nudge:1:2", "nudge:1:3"]


CALLS_TO_STORAGE = re.compile(
    r"\boutbox\.(enqueue|enqueue_many|row)\(|\bfrom storage\.outbox import"
)
ALLOWED = {
    "bot/kit/notify.py": "the one place that checks and splits Telegram rows",
    "bot/kit/mail.py": "e-mail rows (plain text, no Telegram limits)",
    "storage/opportunities/queries.py": "a broadcast's payload comes from "
    "notify.one_message_payload (checked; one row per person is counted)",
}


def test_no_feature_writes_telegram_rows_past_notify() -> None:
    """Outbox rows for Telegram are written only through `bot.kit.notify` (checked, split)."""
    found = []
    for folder in ("bot", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == "storage/outbox.py" or name in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = CALLS_TO_STORAGE.search(line)
                if match and "import Priority" not in line and "import Lost" not in line:
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "use bot.kit.notify.enqueue / rows instead:\n" + "\n".join(found)


# --- direct answers ------------------------------------------------------------------------------


class FakeTelegram:
    def __init__(self) -> None:
        self.sent: list[TelegramMethod[Any]] = []

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Response[Any]:
        self.sent.append(method)
        return Response[Any](ok=True, result=len(self.sent))


@pytest.fixture
async def bot() -> Any:
    bot = Bot(TOKEN, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    yield bot
    await bot.session.close()


async def test_a_long_answer_goes_as_several_messages(bot: Bot) -> None:
    telegram = FakeTelegram()
    method = SendMessage(
        chat_id=1,
        text=LONG,
        reply_markup=MARKUP,
        reply_parameters=ReplyParameters(message_id=5),
    )
    response = await OutgoingTextMiddleware()(telegram, bot, method)
    assert response.result == 3  # the last message (with the keyboard)
    sent = [m for m in telegram.sent if isinstance(m, SendMessage)]
    assert len(sent) == 3
    for m in sent:
        texts.check(m.text)
    assert [m.reply_markup is not None for m in sent] == [False, False, True]
    assert [m.reply_parameters is not None for m in sent] == [True, False, False]


async def test_invalid_html_is_logged_and_sent_escaped(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = FakeTelegram()
    text = "Uitnodiging voor groep <Noord & Zuid>"
    await OutgoingTextMiddleware()(telegram, bot, SendMessage(chat_id=1, text=text))
    [sent] = telegram.sent
    assert isinstance(sent, SendMessage) and texts.visible(sent.text) == text
    [record] = [r for r in caplog.records if r.name == "bot.app.outgoing"]
    assert record.levelno == logging.ERROR and "sendMessage" in record.getMessage()


async def test_edits_and_captions_are_cut_short_and_plain_text_is_split(bot: Bot) -> None:
    telegram = FakeTelegram()
    middleware = OutgoingTextMiddleware()
    await middleware(telegram, bot, EditMessageText(chat_id=1, message_id=2, text=LONG))
    await middleware(telegram, bot, SendPhoto(chat_id=1, photo="id", caption="<b>x</b>" * 2000))
    await middleware(telegram, bot, SendMessage(chat_id=1, text="a < b\n" * 2000, parse_mode=None))
    edit, photo, *plain = telegram.sent
    assert isinstance(edit, EditMessageText) and edit.text is not None
    assert texts.check(edit.text) <= 4096
    assert isinstance(photo, SendPhoto) and photo.caption is not None
    assert texts.length(photo.caption) == 1024
    assert len(plain) == 3  # 12000 characters
    for m in plain:
        assert isinstance(m, SendMessage) and m.parse_mode is None
        assert m.text.startswith("a < b") and len(m.text) <= 4096


async def test_a_good_text_passes_unchanged(bot: Bot) -> None:
    telegram = FakeTelegram()
    method = SendMessage(chat_id=1, text="<b>Hoi</b> &amp; welkom")
    await OutgoingTextMiddleware()(telegram, bot, method)
    assert telegram.sent == [method]
