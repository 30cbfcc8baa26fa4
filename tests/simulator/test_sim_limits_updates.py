"""Flood control, fault injection, getUpdates and webhook semantics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from simulator.client import EmulatorClient
from simulator.limits import FloodControl
from simulator.server import TelegramEmulator

ApiCall = Callable[..., Awaitable[tuple[int, Any]]]


async def test_global_rate_limit(api: ApiCall, client: EmulatorClient) -> None:
    await client.set_limits(global_per_second=3, per_chat_burst=100)
    users = [(await client.create_user(f"U{i}")).id for i in range(4)]
    for uid in users[:3]:
        assert (await api("sendMessage", chat_id=uid, text="x"))[0] == 200
    status, body = await api("sendMessage", chat_id=users[3], text="x")
    assert status == 429
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
    assert body["parameters"]["retry_after"] >= 1


async def test_per_chat_rate_limit(api: ApiCall, client: EmulatorClient, user_id: int) -> None:
    await client.set_limits(
        global_per_second=1000, per_chat_burst=2, per_chat_refill_per_second=0.5
    )
    other = (await client.create_user("Bram")).id
    assert (await api("sendMessage", chat_id=user_id, text="1"))[0] == 200
    _, sent = await api("sendMessage", chat_id=user_id, text="2")
    # edits count too
    status, body = await api(
        "editMessageText", chat_id=user_id, message_id=sent["result"]["message_id"], text="2b"
    )
    assert status == 429
    assert body["parameters"] == {"retry_after": 2}
    assert (await api("sendMessage", chat_id=other, text="x"))[0] == 200


def test_flood_penalty_is_extended_by_early_retries() -> None:
    now = [0.0]
    flood = FloodControl(
        global_per_second=100,
        per_chat_burst=1,
        per_chat_refill_per_second=1.0,
        clock=lambda: now[0],
    )
    assert flood.check(1) is None
    assert flood.check(1) == 1
    now[0] = 0.9
    assert flood.check(1) == 1  # retried too early: blocked until 1.9 now
    now[0] = 1.5
    assert flood.check(1) == 1
    now[0] = 3.0
    assert flood.check(1) is None


async def test_fault_kinds(api: ApiCall, client: EmulatorClient, user_id: int) -> None:
    await client.inject_fault("sendMessage", 1, "error")
    status, body = await api("sendMessage", chat_id=user_id, text="x")
    assert (status, body) == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    await client.inject_fault("*", 1, "429", retry_after=7)
    status, body = await api("getMe")
    assert status == 429
    assert body["parameters"] == {"retry_after": 7}
    await client.inject_fault("sendmessage", 1, "blocked")
    status, body = await api("sendMessage", chat_id=user_id, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    await client.inject_fault("sendMessage", 2, "error", status=502)
    assert (await api("sendMessage", chat_id=user_id, text="x"))[0] == 502
    assert (await api("sendMessage", chat_id=user_id, text="x"))[0] == 502
    # faults consumed the calls without side effects; now it works again
    status, body = await api("sendMessage", chat_id=user_id, text="echt")
    assert status == 200
    assert body["result"]["message_id"] == 1
    calls = await client.calls(method="sendMessage")
    assert [c["status"] for c in calls] == [500, 403, 502, 502, 200]


async def test_timeout_fault_hangs(emu: TelegramEmulator, client: EmulatorClient) -> None:
    await client.inject_fault("getMe", 1, "timeout")
    url = f"{emu.base_url}/bot{emu.default_token}/getMe"
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=0.3)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            async with http.get(url) as resp:
                raise AssertionError(f"expected a hang, got {resp.status}")
        except TimeoutError:
            pass
        assert time.monotonic() - started < 2
        async with http.get(url) as resp:
            assert resp.status == 200


async def test_get_updates_offset_limit_timeout(api: ApiCall, client: EmulatorClient) -> None:
    anna = await client.create_user("Anna")
    for text in ("een", "twee", "drie"):
        await anna.send(text)
    _, body = await api("getUpdates", limit=2)
    updates = body["result"]
    assert [u["message"]["text"] for u in updates] == ["een", "twee"]
    # not confirmed yet: same again
    _, body = await api("getUpdates")
    assert len(body["result"]) == 3
    last = body["result"][-1]["update_id"]
    _, body = await api("getUpdates", offset=last)
    assert [u["message"]["text"] for u in body["result"]] == ["drie"]
    _, body = await api("getUpdates", offset=last + 1, timeout=0)
    assert body["result"] == []
    # long poll: wakes when an update arrives
    started = time.monotonic()
    poll = asyncio.ensure_future(api("getUpdates", offset=last + 1, timeout=5))
    await asyncio.sleep(0.1)
    await anna.send("vier")
    _, body = await poll
    assert [u["message"]["text"] for u in body["result"]] == ["vier"]
    assert time.monotonic() - started < 2
    # long poll without updates waits for the timeout
    started = time.monotonic()
    _, body = await api("getUpdates", offset=body["result"][0]["update_id"] + 1, timeout=1)
    assert body["result"] == []
    assert time.monotonic() - started >= 0.9


async def test_allowed_updates_are_remembered(api: ApiCall, client: EmulatorClient) -> None:
    anna = await client.create_user("Anna")
    _, body = await api("getUpdates", allowed_updates=["callback_query"])
    assert body["result"] == []
    await anna.send("tekst wordt gefilterd")
    await api(
        "sendMessage",
        chat_id=anna.id,
        text="kies",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    msg = await anna.expect_message()
    await anna.tap(msg, "A", answer_timeout=0)
    _, body = await api("getUpdates")  # no allowed_updates: the previous list still applies
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["callback_query"]
    assert body["result"][0]["callback_query"]["data"] == "a"


async def test_get_updates_conflicts_with_webhook(api: ApiCall) -> None:
    assert (await api("setWebhook", url="http://127.0.0.1:9/hook"))[0] == 200
    status, body = await api("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert (await api("deleteWebhook"))[0] == 200
    assert (await api("getUpdates"))[0] == 200


async def test_webhook_delivery_with_secret_and_redelivery(
    api: ApiCall, client: EmulatorClient
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    attempts = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert (await api("setWebhook", url=url, secret_token="geheim-123"))[0] == 200
        anna = await client.create_user("Anna")
        await anna.send("hallo")
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.05)
        assert attempts == 2
        secret, update = received[0]
        assert secret == "geheim-123"
        assert update["message"]["text"] == "hallo"
        _, info = await api("getWebhookInfo")
        assert info["result"]["url"] == url
        assert info["result"]["pending_update_count"] == 0
        assert "Wrong response from the webhook: 500" in info["result"]["last_error_message"]
    finally:
        await api("deleteWebhook")
        await runner.cleanup()
