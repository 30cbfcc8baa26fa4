"""Every text input loses its control characters in one place (bot/app/middlewares/text.py),
before any handler or the database sees it."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, Message, Update
from pydantic import SecretStr

from bot.app.factory import build_app
from bot.app.middlewares.text import CleanTextMiddleware, clean_text, clean_update
from bot.kit.config import Settings

BOT = Bot("123456:AAtesttokenfortextinput")


def _update(text: str, entities: list[dict[str, Any]] | None = None, **extra: Any) -> Update:
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 1_772_445_600,
        "chat": {"id": 7, "type": "private", "first_name": "Zy\x00x"},
        "from": {"id": 7, "is_bot": False, "first_name": "Zy\x00x"},
        "text": text,
        **extra,
    }
    if entities is not None:
        message["entities"] = entities
    return Update.model_validate({"update_id": 1, "message": message}, context={"bot": BOT})


def test_control_characters_go_line_breaks_stay() -> None:
    assert clean_text("Zyx\x00qwv") == "Zyxqwv"
    assert clean_text("een\r\ntwee\rdrie\tvier") == "een\ntwee\ndrie vier"
    assert clean_text("a\x07b\x1bc\x7fd\x85e") == "abcde"
    assert clean_text("Şükrü 😀 محمد\nok") == "Şükrü 😀 محمد\nok"
    plain = "Niets te doen"
    assert clean_text(plain) is plain


def test_a_message_is_cleaned_and_its_entities_still_point_at_the_same_text() -> None:
    # "/start" at 0, then NUL, an emoji (2 UTF-16 units), a bell, then bold "vet" at 13
    text = "/start\x00 x😀\x07 **vet**"
    update = _update(
        text,
        [
            {"type": "bot_command", "offset": 0, "length": 6},
            {"type": "bold", "offset": 13, "length": 7},
        ],
    )
    cleaned = clean_update(update)
    assert cleaned.message is not None and cleaned.message.text == "/start x😀 **vet**"
    assert cleaned.message.from_user is not None and cleaned.message.from_user.first_name == "Zyx"
    command, bold = cleaned.message.entities or []
    assert (command.offset, command.length) == (0, 6)
    encoded = cleaned.message.text.encode("utf-16-le")
    assert encoded[bold.offset * 2 : (bold.offset + bold.length) * 2].decode("utf-16-le") == (
        "**vet**"
    )
    assert cleaned.message.bot is BOT  # still bound: handlers can answer


def test_a_clean_update_is_passed_on_as_it_is() -> None:
    update = Update.model_validate(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1_772_445_600,
                "chat": {"id": 7, "type": "private"},
                "from": {"id": 7, "is_bot": False, "first_name": "Zyx"},
                "text": "Gewoon een antwoord",
            },
        },
        context={"bot": BOT},
    )
    assert clean_update(update) is update


async def test_handlers_only_see_cleaned_text_captions_names_and_callback_data() -> None:
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(CleanTextMiddleware())
    seen: list[Any] = []

    @dispatcher.message(F.text)
    async def on_text(message: Message, event_from_user: Any) -> None:
        seen.append((message.text, event_from_user.first_name))

    @dispatcher.message(F.caption)
    async def on_caption(message: Message) -> None:
        seen.append(message.caption)

    @dispatcher.callback_query()
    async def on_tap(query: CallbackQuery) -> None:
        seen.append(query.data)

    await dispatcher.feed_update(BOT, _update("Mijn motivatie\x00: voetbal"))
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    captioned = Update.model_validate(
        {
            "update_id": 2,
            "message": {
                "message_id": 2,
                "date": 1_772_445_600,
                "chat": {"id": 7, "type": "private"},
                "from": {"id": 7, "is_bot": False, "first_name": "Zyx"},
                "photo": photo,
                "caption": "Foto\x00 van\x1b[31m vandaag",
            },
        },
        context={"bot": BOT},
    )
    await dispatcher.feed_update(BOT, captioned)
    tap = Update.model_validate(
        {
            "update_id": 3,
            "callback_query": {
                "id": "q",
                "from": {"id": 7, "is_bot": False, "first_name": "Zyx"},
                "chat_instance": "c",
                "data": "su:\x00x",
            },
        },
        context={"bot": BOT},
    )
    await dispatcher.feed_update(BOT, tap)
    assert seen == [("Mijn motivatie: voetbal", "Zyx"), "Foto van[31m vandaag", "su:x"]


async def test_the_app_cleans_every_update() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=SecretStr("123456:AAtesttokenfortextinput"),
        database_url="sqlite+aiosqlite:///:memory:",
    )
    app = build_app(settings, [])
    try:
        assert any(
            isinstance(m, CleanTextMiddleware) for m in app.dispatcher.update.outer_middleware
        )
    finally:
        await app.close()
