"""The composition root: builds settings' objects once and passes them down.

Nothing here runs at import time; `build_app` is called by the CLI (and by tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.methods import Response, TelegramMethod
from aiogram.utils.i18n import ConstI18nMiddleware, I18n
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import errors
from bot.app.i18n import build_i18n
from bot.app.middlewares.callbacks import AnswerLeftCallbacks, RecordCallbackAnswers
from bot.app.middlewares.db import DbSessionMiddleware
from bot.app.middlewares.member import MemberMiddleware
from bot.app.middlewares.text import CleanTextMiddleware
from bot.app.outbox_sender import LostReporter, OutboxSender
from bot.app.outgoing import OutgoingTextMiddleware
from bot.app.retry import ChatPauses, InteractiveRequestMiddleware
from bot.app.scheduler import Sweeper
from bot.app.sweeps import foundation_sweeps
from bot.app.web import build_web_app
from bot.handlers import build_router
from bot.kit import notify
from bot.kit.clock import Clock, SystemClock
from bot.kit.config import LOCAL_BOT_TOKEN, Settings
from bot.kit.feature import Feature, FeatureDeps, Registry
from bot.kit.mail import Mailer
from bot.kit.metrics import Metrics
from storage.db import create_engine, create_session_factory
from storage.fsm import DbStorage
from storage.outbox import Lost
from storage.privacy import CONVERSATION_LIFETIME


@dataclass
class App:
    settings: Settings
    registry: Registry
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    sender_bot: Bot
    dispatcher: Dispatcher
    i18n: I18n
    metrics: Metrics
    sender: OutboxSender
    sweeper: Sweeper
    web_app: web.Application
    redis: Redis | None = None

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        await self.sender_bot.session.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def _in_dutch(i18n: I18n, report: LostReporter) -> LostReporter:
    """The sender works outside any update: give its reports the bot's language."""

    async def reporter(session: AsyncSession, lost: list[Lost], now: dt.datetime) -> None:
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            await report(session, lost, now)

    return reporter


class KeptResponseTypes(AiohttpSession):
    """aiogram builds `Response[<returned type>]` for every answer; pydantic caches such generic
    classes only weakly, so they were garbage-collected and rebuilt (about 12 ms each, a third of
    all the time spent on a simple update). Holding them here keeps pydantic's cache warm."""

    _kept: ClassVar[dict[Any, Any]] = {}

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


def make_bot(token: str, api_base: str) -> Bot:
    session = KeptResponseTypes(api=TelegramAPIServer.from_base(api_base))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_app(
    settings: Settings,
    features: Sequence[Feature],
    *,
    clock: Clock | None = None,
    api_base: str | None = None,
    engine: AsyncEngine | None = None,
) -> App:
    """Wire everything with these features (`bot.features.all_features()` in production).

    `api_base` overrides TELEGRAM_API_BASE (local mode, tests).
    """
    registry = Registry(features)
    clock = clock or SystemClock()
    token = (
        settings.telegram_bot_token.get_secret_value()
        if settings.telegram_bot_token
        else LOCAL_BOT_TOKEN
    )
    base = api_base or settings.telegram_api_base
    engine = engine or create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    current: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)
    metrics = Metrics()
    i18n = build_i18n()

    redis: Redis | None = None
    storage: BaseStorage
    isolation: BaseEventIsolation
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        storage = RedisStorage(
            redis, state_ttl=CONVERSATION_LIFETIME, data_ttl=CONVERSATION_LIFETIME
        )
        isolation = RedisEventIsolation(redis)
    else:
        storage = DbStorage(sessions, current, clock.now)
        isolation = SimpleEventIsolation()

    bot = make_bot(token, base)
    pauses = ChatPauses()  # a 429 for a chat holds back direct answers and the outbox alike
    bot.session.middleware(OutgoingTextMiddleware())  # first: each part of a split text on its own
    bot.session.middleware(InteractiveRequestMiddleware(pauses=pauses))
    bot.session.middleware(RecordCallbackAnswers())
    sender_bot = make_bot(token, base)
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    sender = OutboxSender(
        sender_bot,
        sessions,
        clock,
        metrics,
        rate_per_second=settings.outbox_rate_per_second,
        poll_seconds=settings.outbox_poll_seconds,
        mailer=Mailer.from_settings(settings),
        on_lost=_in_dutch(i18n, notify.report_lost),
        pauses=pauses,
        lease=dt.timedelta(seconds=settings.outbox_lease_seconds),
    )
    dispatcher.update.outer_middleware(CleanTextMiddleware())
    dispatcher.update.outer_middleware(
        DbSessionMiddleware(sessions, current, clock, metrics, on_outbox=sender.wake.set)
    )
    dispatcher.update.outer_middleware(MemberMiddleware())
    dispatcher.callback_query.outer_middleware(AnswerLeftCallbacks())
    ConstI18nMiddleware(locale=i18n.default_locale, i18n=i18n).setup(dispatcher)
    dispatcher.include_router(errors.create_router())
    dispatcher.include_router(build_router(registry))
    dispatcher.workflow_data.update(
        clock=clock,
        metrics=metrics,
        sessions=sessions,
        settings=settings,
        sender=sender,
        registry=registry,
    )
    deps = FeatureDeps(
        settings=settings, clock=clock, sessions=sessions, metrics=metrics, i18n=i18n
    )
    sweeps = foundation_sweeps(metrics)
    web_app = build_web_app(sessions, clock, metrics, metrics_token=settings.metrics_token)
    sweeps.extend(registry.sweeps(deps))
    registry.install_web(web_app, deps)
    sweeper = Sweeper(sessions, clock, i18n, sweeps, after=sender.wake.set)
    return App(
        settings=settings,
        registry=registry,
        clock=clock,
        engine=engine,
        sessions=sessions,
        bot=bot,
        sender_bot=sender_bot,
        dispatcher=dispatcher,
        i18n=i18n,
        metrics=metrics,
        sender=sender,
        sweeper=sweeper,
        web_app=web_app,
        redis=redis,
    )
