"""The test client: users chatting with a (here hand-driven) bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from simulator.client import EmulatorClient

ApiCall = Callable[..., Awaitable[tuple[int, Any]]]


async def test_conversation_helpers(api: ApiCall, client: EmulatorClient) -> None:
    anna = await client.create_user("Anna")
    markup = {"keyboard": [[{"text": "Ja"}, {"text": "Nee"}]], "one_time_keyboard": True}
    _, sent = await api("sendMessage", chat_id=anna.id, text="Doe je mee?", reply_markup=markup)
    assert "reply_markup" not in sent["result"]  # Telegram only echoes inline keyboards
    msg = await anna.expect_message()
    assert msg.buttons == ["Ja", "Nee"]
    await anna.press("Ja")
    with pytest.raises(AssertionError, match="no reply keyboard button"):
        await anna.press("Ja")  # one-time keyboard is gone
    reply = await anna.reply(msg, "graag")
    _, body = await api("getUpdates")
    texts = [u["message"]["text"] for u in body["result"]]
    assert texts == ["Ja", "graag"]
    assert body["result"][1]["message"]["reply_to_message"]["text"] == "Doe je mee?"
    assert reply.raw["reply_to_message"]["message_id"] == msg.message_id

    inline = {"inline_keyboard": [[{"text": "Aanmelden", "callback_data": "signup"}]]}
    _, sent = await api("sendMessage", chat_id=anna.id, text="Kies", reply_markup=inline)
    kies = await anna.expect_message()
    with pytest.raises(AssertionError, match="no inline button"):
        await anna.tap(kies, "Bestaat niet")
    await anna.tap(kies, callback_data="signup", answer_timeout=0)
    _, body = await api("getUpdates", offset=body["result"][-1]["update_id"] + 1)
    query_id = body["result"][0]["callback_query"]["id"]
    await api("answerCallbackQuery", callback_query_id=query_id, text="Top")
    status, _again = await api("answerCallbackQuery", callback_query_id=query_id)
    assert status == 400  # a query can only be answered once

    await anna.expect_no_message(within=0.2)
    await api("editMessageReplyMarkup", chat_id=anna.id, message_id=kies.message_id)
    edited = await anna.expect_edit(kies, timeout=1)
    assert edited.buttons == [] and edited.text == "Kies"
    with pytest.raises(AssertionError, match="was not edited"):
        await anna.expect_edit(edited, timeout=0.2)
    with pytest.raises(AssertionError, match="no bot message"):
        await anna.expect_message(timeout=0.2)

    transcript = await anna.transcript()
    kies_event = next(
        e
        for e in transcript["events"]
        if e["type"] == "message" and e["message_id"] == kies.message_id
    )
    assert kies_event["message"]["edits"][0]["reply_markup"] == inline


async def test_media_from_user_and_download(api: ApiCall, client: EmulatorClient) -> None:
    anna = await client.create_user("Anna")
    await anna.send_sticker()
    photo = await anna.send_photo(caption="kijk")
    await anna.send_document("cv.pdf")
    await anna.send_voice()
    _, body = await api("getUpdates")
    kinds = [
        next(k for k in ("sticker", "photo", "document", "voice") if k in u["message"])
        for u in body["result"]
    ]
    assert kinds == ["sticker", "photo", "document", "voice"]
    assert body["result"][2]["message"]["document"]["file_name"] == "cv.pdf"
    assert photo.document is not None
    assert (await client.download(photo)).startswith(b"\x89PNG")
    file_id = body["result"][1]["message"]["photo"][-1]["file_id"]
    status, got = await api("getFile", file_id=file_id)
    assert status == 200 and got["result"]["file_size"] > 0


async def test_calls_log_and_reset(api: ApiCall, client: EmulatorClient) -> None:
    await api("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    calls = await client.calls(method="setMyCommands")
    assert calls[0]["params"]["commands"] == [{"command": "start", "description": "Start"}]
    assert calls[0]["status"] == 200
    later = await client.calls(since=calls[-1]["id"])
    assert later == []
    assert await client.commands(scope={"type": "default"}) == [
        {"command": "start", "description": "Start"}
    ]
    await client.reset()
    assert await client.calls() == []
    assert await client.commands() == []
