"""Start and stop a built App: migrations, bootstrap, web server, sender, scheduler, updates.

Shutdown: stop taking updates, let handlers in flight finish (bounded by
SHUTDOWN_TIMEOUT_SECONDS), let the sender and a sweep in progress finish (bounded too), close
everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlparse

from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.app.factory import App
from bot.app.polling import ReliablePoller
from bot.app.scheduler import run_every
from domain.roles import Role
from storage import migrate, people
from storage.db import wait_lock

log = logging.getLogger(__name__)


async def bootstrap(app: App) -> None:
    """Schema up to date; the first programme exists; ADMIN_TELEGRAM_IDS are coordinators."""
    settings = app.settings
    await migrate.upgrade(app.engine)
    async with app.sessions.begin() as session:
        await wait_lock(session, "bootstrap")  # replicas starting at once: one after the other
        programme = await people.ensure_programme(
            session, settings.programme_name, settings.timezone, app.clock.now()
        )
        for telegram_id in settings.admin_telegram_ids:
            try:
                async with session.begin_nested():
                    await people.ensure_telegram_coordinator(
                        session, programme, telegram_id, app.clock.now()
                    )
            except people.OtherProgramme:
                log.warning(
                    "ADMIN_TELEGRAM_IDS: account %s holds a role in another programme; not made "
                    "a coordinator of this one (use `admin add-coordinator --move`)",
                    telegram_id,
                )


class Runtime:
    def __init__(self, app: App, *, poll_timeout: int = 25) -> None:
        self.app = app
        self.stop_event = asyncio.Event()
        self._poll_timeout = poll_timeout
        self._tasks: list[asyncio.Task[None]] = []
        self._updates_task: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None
        self.web_port: int | None = None
        self.allowed_updates = app.dispatcher.resolve_used_update_types()

    async def start(self) -> None:
        app = self.app
        await bootstrap(app)
        me = await app.bot.get_me()
        log.info("bot @%s (id %s) starting", me.username, me.id)
        await self._publish_commands()
        if app.settings.webhook_url:
            self._mount_webhook()
        await self._start_web()
        # One sweep before the sender starts: what became stale while the bot was down (a
        # reminder for a session that has begun) is cancelled before anything is sent.
        await app.sweeper.run_all()
        self._tasks.append(asyncio.create_task(app.sender.run(self.stop_event), name="sender"))
        sweeps = run_every(app.settings.sweep_seconds, app.sweeper.run_all, self.stop_event)
        self._tasks.append(asyncio.create_task(sweeps, name="sweeps"))
        if app.settings.webhook_url:
            await self._ensure_webhook()
        else:
            await app.bot.delete_webhook(drop_pending_updates=False)
            poller = ReliablePoller(
                app.bot,
                app.dispatcher,
                self.allowed_updates,
                timeout=self._poll_timeout,
                max_concurrent=app.settings.max_concurrent_updates,
            )
            self._updates_task = asyncio.create_task(poller.run(self.stop_event), name="polling")

    async def _publish_commands(self) -> None:
        app = self.app
        await app.registry.publish_default_commands(app.bot, app.i18n)
        async with app.sessions() as session:
            chats = await people.coordinator_chats(session)
        for chat in chats:
            await app.registry.publish_commands_for_chat(
                app.bot, app.i18n, int(chat), {Role.COORDINATOR}
            )

    def _mount_webhook(self) -> None:
        settings = self.app.settings
        assert settings.webhook_url and settings.webhook_secret
        handler = SimpleRequestHandler(
            self.app.dispatcher,
            self.app.bot,
            handle_in_background=False,
            secret_token=settings.webhook_secret.get_secret_value(),
        )
        handler.register(self.app.web_app, path=urlparse(settings.webhook_url).path or "/")

    async def _ensure_webhook(self) -> None:
        """Set the webhook only when it differs, so several replicas do not fight over it."""
        settings = self.app.settings
        assert settings.webhook_url and settings.webhook_secret
        info = await self.app.bot.get_webhook_info()
        wanted = sorted(self.allowed_updates)
        if info.url == settings.webhook_url and sorted(info.allowed_updates or []) == wanted:
            log.info("webhook already set to %s", settings.webhook_url)
            return
        await self.app.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=self.allowed_updates,
            drop_pending_updates=False,
        )

    async def _start_web(self) -> None:
        runner = web.AppRunner(
            self.app.web_app,
            handle_signals=False,
            shutdown_timeout=self.app.settings.shutdown_timeout_seconds,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.app.settings.web_host, self.app.settings.web_port)
        await site.start()
        self._web = runner
        addresses = runner.addresses
        self.web_port = int(addresses[0][1]) if addresses else self.app.settings.web_port
        if self.app.settings.web_port == 0:  # a free port was asked for: links use the real one
            self.app.settings.web_port = self.web_port

    async def stop(self) -> None:
        self.stop_event.set()
        timeout = self.app.settings.shutdown_timeout_seconds
        if self.app.settings.webhook_url and self._web is not None:
            await self._web.cleanup()  # no new webhook requests; those in flight finish
            self._web = None
        if self._updates_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._updates_task), timeout)
            except TimeoutError:
                log.warning("handlers still busy after %.0f s; cancelling them", timeout)
                self._updates_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._updates_task
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._web is not None:
            await self._web.cleanup()
        await self.app.close()
