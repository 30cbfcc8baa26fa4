"""``TelegramEmulator``: the aiohttp server tying the Bot API, control API and web chat together."""

from __future__ import annotations

import asyncio
import logging
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from simulator.api import BotApi
from simulator.control import ControlApi
from simulator.spec import ApiError, Spec
from simulator.state import BotState, World
from simulator.webhook import WebhookDelivery

if TYPE_CHECKING:
    from simulator.mailbox import Mailbox

DEFAULT_TOKEN = "123456789:AAEmulatorTokenForCitytrainersTests"
log = logging.getLogger(__name__)


class TelegramEmulator:
    """A strict local Telegram Bot API server for tests and manual testing."""

    def __init__(
        self,
        global_per_second: int = 30,
        per_chat_burst: int = 20,
        per_chat_refill_per_second: float = 1.0,
        *,
        default_token: str = DEFAULT_TOKEN,
        bot_username: str = "citytrainers_test_bot",
        bot_first_name: str = "Citytrainers",
        spec: Spec | None = None,
        mailbox: Mailbox | None = None,
    ) -> None:
        self.spec = spec or Spec.load()
        self.mailbox = mailbox
        """Local mode: the e-mails the bot sent, shown at /mailbox."""
        self.world = World(
            default_token,
            bot_username,
            bot_first_name,
            {
                "global_per_second": global_per_second,
                "per_chat_burst": per_chat_burst,
                "per_chat_refill_per_second": per_chat_refill_per_second,
            },
        )
        self.bot_api = BotApi(self.world, self.spec)
        self.control = ControlApi(self.world)
        self.webhooks = WebhookDelivery(self.world, self._webhook_reply)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    @property
    def default_token(self) -> str:
        return self.world.default_token

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("emulator is not running")
        return f"http://{self._host}:{self._port}"

    @property
    def webchat_url(self) -> str:
        return self.base_url + "/"

    @property
    def mailbox_url(self) -> str:
        return self.base_url + "/mailbox"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        self.bot_api.add_routes(app)
        self.control.add_routes(app)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        if self.mailbox is not None:
            self.mailbox.add_routes(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world.closing.clear()
        await self.webhooks.start()
        self._runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self._host = host
        self._port = sockets[0].getsockname()[1] if sockets else port

    async def stop(self) -> None:
        self.world.closing.set()
        await self.webhooks.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._port = None

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- conveniences for in-process use ---------------------------------------
    def bot(self, token: str | None = None) -> BotState:
        return self.world.bot(token)

    def set_limits(self, **limits: Any) -> dict[str, Any]:
        return self.world.set_limits(**limits)

    async def _webhook_reply(self, bot: BotState, reply: dict[str, Any]) -> None:
        """Execute a method returned in a webhook response body, like Telegram does."""
        params = {k: v for k, v in reply.items() if k != "method"}
        spec = self.spec.resolve(str(reply["method"]))
        if spec is None:
            return
        try:
            await self.bot_api.execute(bot.token, spec, params, {})
        except ApiError as exc:
            log.info("webhook reply %s failed: %s", spec.name, exc.description)

    async def _index(self, request: web.Request) -> web.Response:
        return self._static_file("index.html")

    async def _static(self, request: web.Request) -> web.Response:
        return self._static_file(request.match_info["name"])

    @staticmethod
    def _static_file(name: str) -> web.Response:
        types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
        suffix = name[name.rfind(".") :] if "." in name else ""
        ref = resources.files("simulator") / "static" / name
        if "/" in name or suffix not in types or not ref.is_file():
            raise web.HTTPNotFound()
        return web.Response(text=ref.read_text(encoding="utf-8"), content_type=types[suffix])


async def serve_forever(host: str, port: int, **kwargs: Any) -> None:
    emulator = TelegramEmulator(**kwargs)
    await emulator.start(host, port)
    print(f"Telegram emulator on {emulator.base_url} (web chat: {emulator.webchat_url})")
    print(f"Default bot token: {emulator.default_token}")
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
