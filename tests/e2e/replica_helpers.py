"""Several replicas of the bot in one test: a fresh PostgreSQL database, a Redis database of its
own, a round-robin load balancer in front of the replicas' webhooks, a tap on each replica's
way to the Bot API, and the replica processes themselves (tests/e2e/test_replicas.py)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.test_process import start_bot
from tests.services import PG_URL, REDIS_URL

READY = "running; web server"


def unavailable(what: str, exc: BaseException) -> None:
    """Skip with the reason; under CI=true a missing service fails instead (tests/services.py)."""
    reason = f"{what} is not reachable ({exc!r:.120}): the replica test needs it"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true it must run", pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL."""
    import asyncpg

    name = f"ct_replicas_{uuid.uuid4().hex[:12]}"
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        admin = await asyncio.wait_for(asyncpg.connect(dsn), 5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        unavailable("PostgreSQL at " + PG_URL, exc)
        raise
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(PG_URL)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


CLAIM_KEY = "citytrainers:replica-test"


@asynccontextmanager
async def own_redis_database() -> AsyncIterator[str]:
    """A Redis database no other test run uses at the same time (claimed with SET NX, emptied
    before and after); yields its URL. Database 0 and TEST_REDIS_URL's own are left alone."""
    from redis.asyncio import Redis

    parts = urlsplit(REDIS_URL)
    taken = {0, int(parts.path.strip("/") or 0)}
    mark = uuid.uuid4().hex
    first = Redis.from_url(REDIS_URL)
    try:
        count = int((await asyncio.wait_for(first.config_get("databases"), 5))["databases"])
    except (OSError, TimeoutError, Exception) as exc:  # redis raises its own ConnectionError
        await first.aclose()
        unavailable("Redis at " + REDIS_URL, exc)
        raise
    await first.aclose()
    candidates = [db for db in range(count) if db not in taken]
    random.shuffle(candidates)
    for db in candidates:
        url = urlunsplit(parts._replace(path=f"/{db}"))
        client = Redis.from_url(url)
        try:
            if not await client.set(CLAIM_KEY, mark, nx=True, ex=600):
                continue  # another run has it
            await client.flushdb()  # what a crashed run may have left
            await client.set(CLAIM_KEY, mark, ex=600)
            try:
                yield url
            finally:
                await client.flushdb()
            return
        finally:
            await client.aclose()
    pytest.skip(f"no free Redis database at {REDIS_URL} (all {count} claimed by other runs)")


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free port of 127.0.0.1; a handler is cancelled when its client goes."""
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def _copy(resp: aiohttp.ClientResponse, body: bytes) -> web.Response:
    headers = {"Content-Type": resp.headers.get("Content-Type", "application/json")}
    return web.Response(body=body, status=resp.status, headers=headers)


_MULTIPART_CHAT = re.compile(rb'name="chat_id"\r\n(?:[^\r\n]*\r\n)*\r\n(-?\d+)\r\n')


def chat_of(body: bytes, content_type: str) -> str | None:
    """The chat_id of a Bot API call as aiogram sends it (form fields, urlencoded or multipart)."""
    if content_type == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode(errors="replace")).get("chat_id")
        return values[0] if values else None
    if content_type == "application/json":
        value = json.loads(body or b"{}").get("chat_id")
        return None if value is None else str(value)
    match = _MULTIPART_CHAT.search(body)
    return match.group(1).decode() if match else None


class ApiTap:
    """One replica's way to the Bot API: forwards every call to the emulator unchanged and
    notes which chats the replica is sending a message to right now, and which it reached."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.sending: Counter[str] = Counter()  # chat id -> sendMessage calls in flight
        self.delivered: list[str] = []  # chat ids of sendMessage calls answered 200
        self.url = ""
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> ApiTap:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner, self.url = await serve(app)
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        sending = request.path.endswith("/sendMessage")
        chat = chat_of(body, request.content_type) if sending else None
        if chat is not None:
            self.sending[chat] += 1
        try:
            async with self._http.request(
                request.method,
                self.upstream + request.path_qs,
                data=body,
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as resp:
                answer = await resp.read()
                if chat is not None and resp.status == 200:
                    self.delivered.append(chat)
                return _copy(resp, answer)
        finally:
            if chat is not None:
                self.sending[chat] -= 1


def sender_of(update: dict[str, Any]) -> int | None:
    for kind in ("message", "callback_query", "edited_message"):
        if kind in update:
            return int(update[kind]["from"]["id"])
    return None


class RoundRobin:
    """The load balancer in front of the replicas' webhooks: each update goes to the next
    replica in turn; when the connection to a replica fails (it is down) the update goes to the
    next one, as nginx's `proxy_next_upstream error non_idempotent` does (deploy/nginx.conf);
    any answer of a replica, also an error, is the webhook's answer."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.turn = 0
        self.handled: list[tuple[int, int | None, int]] = []  # update id, sender, replica
        self.in_flight: Counter[int] = Counter()
        self.url = ""
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> RoundRobin:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner, self.url = await serve(app)
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    def replicas_of(self, user_id: int) -> list[int]:
        """The replica that handled each of this person's updates, in order."""
        return [replica for _, sender, replica in self.handled if sender == user_id]

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        update = json.loads(body)
        headers = {
            name: request.headers[name]
            for name in ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")
            if name in request.headers
        }
        for _ in self.backends:
            replica = self.turn % len(self.backends)
            self.turn += 1
            self.in_flight[replica] += 1
            try:
                async with self._http.post(
                    self.backends[replica] + request.path_qs, data=body, headers=headers
                ) as resp:
                    answer = await resp.read()
                    if resp.status < 300:
                        self.handled.append((update["update_id"], sender_of(update), replica))
                    return _copy(resp, answer)
            except aiohttp.ClientConnectionError:
                # This replica is down (refused, or a kept-alive connection reset): the next
                # one. Safe for webhooks even if it got the update: update ids are deduplicated.
                continue
            finally:
                self.in_flight[replica] -= 1
        return web.Response(status=502, text="no replica is up\n")


class Replica:
    """One bot process; its output is read all the time (a full pipe would block it)."""

    def __init__(self, index: int, env: dict[str, str], cwd: Path) -> None:
        self.index = index
        self.env = env
        self.cwd = cwd
        self.lines: list[str] = []
        self.ready = asyncio.Event()
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.env['WEB_PORT']}"

    async def start(self) -> Replica:
        self.proc = await start_bot(self.env, self.cwd)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := (await self.proc.stdout.readline()).decode(errors="replace"):
            self.lines.append(line)
            if READY in line:
                self.ready.set()

    async def wait_ready(self, within: float = 90) -> None:
        assert self.proc is not None
        exited = asyncio.ensure_future(self.proc.wait())
        ready = asyncio.ensure_future(self.ready.wait())
        try:
            await asyncio.wait({exited, ready}, timeout=within, return_when="FIRST_COMPLETED")
        finally:
            exited.cancel()
            ready.cancel()
        if not self.ready.is_set():
            if self.proc.returncode is not None and self._reader is not None:
                await self._reader  # all it printed before it exited
            raise AssertionError(
                f"replica {self.index} did not start (exit code {self.proc.returncode}):\n"
                + self.output()
            )

    def output(self) -> str:
        return "".join(self.lines[-60:])

    def logged(self, needle: str) -> list[str]:
        return [line for line in self.lines if needle in line]

    def kill(self) -> None:
        """SIGKILL: the machine goes away, nothing is cleaned up."""
        assert self.proc is not None
        self.proc.kill()

    async def stop(self) -> int:
        """SIGTERM (a stopped process keeps its code); returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            with suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(20):
                code = await self.proc.wait()
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        if self._reader is not None:
            with suppress(asyncio.CancelledError):
                await self._reader
        return code
