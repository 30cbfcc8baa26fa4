"""The emulator rejects what the real Telegram Bot API rejects."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from simulator import DEFAULT_TOKEN, TelegramEmulator

ApiCall = Callable[..., Awaitable[tuple[int, Any]]]

BAD_REQUEST = 400


async def test_unknown_method_is_404(api: ApiCall) -> None:
    status, body = await api("sendMessageFoo", chat_id=1, text="x")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_bad_token_is_401(api: ApiCall) -> None:
    status, body = await api("getMe", _token="12345:short")
    assert status == 401
    assert body["description"] == "Unauthorized"


async def test_method_names_are_case_insensitive(api: ApiCall) -> None:
    status, body = await api("GETME")
    assert status == 200
    assert body["result"]["username"] == "citytrainers_test_bot"


async def test_missing_required_param(api: ApiCall, user_id: int) -> None:
    status, body = await api("sendMessage", chat_id=user_id)
    assert status == BAD_REQUEST
    assert body["description"].startswith("Bad Request:")
    assert '"text"' in body["description"]


async def test_mistyped_param(api: ApiCall, user_id: int) -> None:
    status, body = await api("editMessageText", chat_id=user_id, message_id="abc", text="x")
    assert status == BAD_REQUEST
    assert '"message_id"' in body["description"]
    status, body = await api("getUpdates", limit="many")
    assert status == BAD_REQUEST
    assert '"limit"' in body["description"]


async def test_query_string_and_form_params(
    emu: TelegramEmulator, http: aiohttp.ClientSession, user_id: int
) -> None:
    url = f"{emu.base_url}/bot{DEFAULT_TOKEN}/sendMessage"
    async with http.get(url, params={"chat_id": str(user_id), "text": "hoi"}) as resp:
        assert (await resp.json())["result"]["text"] == "hoi"
    data = {"chat_id": str(user_id), "text": "doei", "disable_notification": "true"}
    async with http.post(url, data=data) as resp:
        assert (await resp.json())["result"]["text"] == "doei"


async def test_empty_text(api: ApiCall, user_id: int) -> None:
    for text in ("", "   "):
        status, body = await api("sendMessage", chat_id=user_id, text=text)
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api("sendMessage", chat_id=user_id, text="<b></b>", parse_mode="HTML")
    assert body["description"] == "Bad Request: message text is empty"


async def test_text_length_counts_utf16_units(api: ApiCall, user_id: int) -> None:
    status, _ = await api("sendMessage", chat_id=user_id, text="a" * 4096)
    assert status == 200
    status, body = await api("sendMessage", chat_id=user_id, text="a" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, _ = await api("sendMessage", chat_id=user_id, text="😀" * 2049)
    assert status == 400
    # markup does not count: 4096 visible characters wrapped in <b> are fine
    html = "<b>" + "a" * 4096 + "</b>"
    status, _ = await api("sendMessage", chat_id=user_id, text=html, parse_mode="HTML")
    assert status == 200


def _keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def test_callback_data_limit(api: ApiCall, user_id: int) -> None:
    ok = _keyboard({"text": "ok", "callback_data": "x" * 64})
    status, _ = await api("sendMessage", chat_id=user_id, text="t", reply_markup=ok)
    assert status == 200
    bad = _keyboard({"text": "te lang", "callback_data": "é" * 33})  # 66 bytes
    status, body = await api("sendMessage", chat_id=user_id, text="t", reply_markup=bad)
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_inline_button_needs_exactly_one_action(api: ApiCall, user_id: int) -> None:
    none = _keyboard({"text": "niks"})
    status, body = await api("sendMessage", chat_id=user_id, text="t", reply_markup=none)
    assert status == 400
    assert "inline keyboard button" in body["description"]
    two = _keyboard({"text": "twee", "callback_data": "a", "url": "https://example.org"})
    status, _ = await api("sendMessage", chat_id=user_id, text="t", reply_markup=two)
    assert status == 400


async def test_too_many_buttons(api: ApiCall, user_id: int) -> None:
    rows = [
        [{"text": f"{r}-{c}", "callback_data": f"{r}-{c}"} for c in range(8)] for r in range(13)
    ]
    markup = {"inline_keyboard": rows}
    status, body = await api("sendMessage", chat_id=user_id, text="t", reply_markup=markup)
    assert (status, body["description"]) == (400, "Bad Request: reply markup is too long")


async def test_invalid_markup_object_is_rejected(api: ApiCall, user_id: int) -> None:
    status, body = await api("sendMessage", chat_id=user_id, text="t", reply_markup={"x": 1})
    assert status == 400
    assert '"reply_markup"' in body["description"]


async def test_bad_html_is_rejected(api: ApiCall, user_id: int) -> None:
    status, body = await api("sendMessage", chat_id=user_id, text="<Sanne & Co>", parse_mode="HTML")
    assert status == 400
    assert body["description"] == (
        'Bad Request: can\'t parse entities: Unsupported start tag "sanne" at byte offset 0'
    )


async def test_escaped_html_is_shown_literally(api: ApiCall, user_id: int) -> None:
    text = "<b>Team</b> &lt;Sanne &amp; Co&gt;"
    status, body = await api("sendMessage", chat_id=user_id, text=text, parse_mode="html")
    assert status == 200
    assert body["result"]["text"] == "Team <Sanne & Co>"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]


async def test_message_not_modified(api: ApiCall, user_id: int) -> None:
    markup = _keyboard({"text": "A", "callback_data": "a"})
    _, sent = await api(
        "sendMessage", chat_id=user_id, text="<b>x</b>", parse_mode="HTML", reply_markup=markup
    )
    mid = sent["result"]["message_id"]
    status, body = await api(
        "editMessageText",
        chat_id=user_id,
        message_id=mid,
        text="<b>x</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified")
    # same text without the keyboard is a modification (Telegram drops the keyboard)
    status, body = await api(
        "editMessageText", chat_id=user_id, message_id=mid, text="<b>x</b>", parse_mode="HTML"
    )
    assert status == 200
    assert "reply_markup" not in body["result"]
    status, body = await api("editMessageReplyMarkup", chat_id=user_id, message_id=mid)
    assert body["description"].startswith("Bad Request: message is not modified")


async def test_edit_and_delete_missing_messages(api: ApiCall, user_id: int) -> None:
    status, body = await api("editMessageText", chat_id=user_id, message_id=99, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api("deleteMessage", chat_id=user_id, message_id=99)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    _, sent = await api("sendMessage", chat_id=user_id, text="weg")
    mid = sent["result"]["message_id"]
    assert (await api("deleteMessage", chat_id=user_id, message_id=mid))[0] == 200
    status, _ = await api("deleteMessage", chat_id=user_id, message_id=mid)
    assert status == 400


async def test_unknown_chat(api: ApiCall) -> None:
    status, body = await api("sendMessage", chat_id=424242, text="hallo")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_blocked_user_is_403(api: ApiCall, emu: TelegramEmulator, user_id: int) -> None:
    async with aiohttp.ClientSession() as http:
        await http.post(f"{emu.base_url}/_emulator/users/{user_id}/block")
    status, body = await api("sendMessage", chat_id=user_id, text="hallo")
    assert status == 403
    assert body == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }


async def test_answer_callback_query_errors(
    api: ApiCall, emu: TelegramEmulator, user_id: int
) -> None:
    status, body = await api("answerCallbackQuery", callback_query_id="nope")
    assert status == 400
    assert "query is too old" in body["description"]
    markup = _keyboard({"text": "A", "callback_data": "a"})
    _, sent = await api("sendMessage", chat_id=user_id, text="t", reply_markup=markup)
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}/_emulator/users/{user_id}/tap"
        async with http.post(
            url, json={"message_id": sent["result"]["message_id"], "text": "A"}
        ) as resp:
            query_id = (await resp.json())["callback_query_id"]
    emu.bot().callbacks[query_id].created = time.monotonic() - 16
    status, body = await api("answerCallbackQuery", callback_query_id=query_id)
    assert status == 400
    assert "query is too old" in body["description"]


async def test_unimplemented_methods(api: ApiCall) -> None:
    assert await api("setMyDescription", description="x") == (200, {"ok": True, "result": True})
    status, body = await api("sendDice", chat_id=1)
    assert (status, body["description"]) == (
        400,
        "Bad Request: method not supported by the emulator",
    )
