"""`citytrainers-bot` (also `python -m bot`): run the bot, migrate, manage coordinators."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.app.logs import configure_logging
from bot.kit.clock import Monotonic
from bot.kit.config import ConfigError, Settings, check_for_run, load_settings
from bot.kit.feature import Feature, Registry

log = logging.getLogger("bot")

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
ATTEMPT_TIMEOUT_SECONDS = 10.0
# What reaching a database can raise: refused or timed-out connections and DNS failures
# (OSError), refused logins and missing databases (DBAPIError, wrapped by SQLAlchemy).
CONNECT_ERRORS = (OSError, SQLAlchemyError)


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message is one line for the operator."""


def _parser(registry: Registry) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citytrainers-bot",
        description="The Citytrainers Telegram bot. Settings come from the environment or .env.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser(
        "run",
        help="run the bot (local mode with the built-in Telegram emulator when no token is set)",
        description="Run the bot: long polling, webhook mode when WEBHOOK_URL is set, or local "
        "mode (built-in Telegram emulator and web chat) when TELEGRAM_BOT_TOKEN is empty.",
    )
    db = sub.add_parser("db", help="database commands", description="Database commands.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_sub.add_parser("upgrade", help="apply all migrations", description="Apply all migrations.")
    admin = sub.add_parser("admin", help="administration", description="Administration.")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ADMIN_COMMAND")
    add = admin_sub.add_parser(
        "add-coordinator",
        help="make a Telegram account a coordinator of a programme",
        description="Make a Telegram account a coordinator of a programme (created if new).",
    )
    add.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    add.add_argument(
        "--programme",
        required=True,
        metavar="NAME",
        help='programme (municipality) name, e.g. "\'s-Hertogenbosch"',
    )
    add.add_argument(
        "--move",
        action="store_true",
        help="if the account holds a role in another programme: move the person to this "
        "programme and revoke those roles (without it, such an account is refused)",
    )
    for command in registry.cli.values():
        command.add_parser(sub)
    return parser


def main(features: Sequence[Feature], argv: Sequence[str] | None = None) -> int:
    """Run the command line with these features (see `bot.__main__`)."""
    registry = Registry(features)
    args = _parser(registry).parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            check_for_run(settings)
    except ConfigError as exc:
        print(f"citytrainers-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "run":
            return asyncio.run(_run(settings, features))
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command in registry.cli:
            return asyncio.run(registry.cli[args.command].run(settings, args))
        return asyncio.run(_add_coordinator(settings, args.telegram_id, args.programme, args.move))
    except DatabaseUnavailable as exc:
        print(f"citytrainers-bot: {exc}", file=sys.stderr)
        return 1


def database_name(url: str) -> str:
    """The database URL as it may be shown and logged: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):  # not a URL SQLAlchemy can read: only its scheme
        return url.partition("://")[0] + "://..."


def connect_problem(exc: BaseException, url: str) -> str:
    """What went wrong reaching the database, in one line, never with the password."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, TimeoutError):
        text = f"no answer within {ATTEMPT_TIMEOUT_SECONDS:.0f} s"
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    with contextlib.suppress(SQLAlchemyError, ValueError):
        password = make_url(url).password
        if password:
            text = text.replace(str(password), "***")
    return text[:300]


async def _connect_once(url: str) -> None:
    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect():
            pass
    finally:
        await engine.dispose()


async def wait_for_database(
    url: str,
    limit_seconds: float,
    *,
    connect: Callable[[str], Awaitable[None]] = _connect_once,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    monotonic: Monotonic = time.monotonic,
) -> None:
    """Return once the database at `url` answers.

    A failed attempt logs one line (no traceback, no password) and is retried after 1, 2, 4 ...
    at most 30 seconds, for `limit_seconds` in all (0: one attempt); then DatabaseUnavailable is
    raised with one line. Each attempt may take up to 10 s. Cancel the call to stop waiting.
    """
    name = database_name(url)
    start = monotonic()
    delay = FIRST_RETRY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            async with asyncio.timeout(ATTEMPT_TIMEOUT_SECONDS):
                await connect(url)
        except CONNECT_ERRORS as exc:
            problem = connect_problem(exc, url)
        else:
            if attempt > 1:
                log.info("database %s reached (attempt %d)", name, attempt)
            return
        elapsed = monotonic() - start
        remaining = limit_seconds - elapsed
        if remaining <= 0:
            if attempt == 1:
                raise DatabaseUnavailable(f"cannot reach the database {name}: {problem}")
            raise DatabaseUnavailable(
                f"cannot reach the database {name}: {problem}; gave up after {attempt} "
                f"attempts in {elapsed:.0f} s (DB_CONNECT_TIMEOUT_SECONDS={limit_seconds:g})"
            )
        pause = min(delay, remaining)
        log.warning(
            "cannot reach the database %s: %s; attempt %d, trying again in %.1f s",
            name,
            problem,
            attempt,
            pause,
        )
        await sleep(pause)
        delay = min(delay * 2, MAX_RETRY_SECONDS)


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Await `work` unless `stop` is set first, which cancels it: True when `work` finished."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (stopping, task):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.cancelled():
        return False
    task.result()  # raises what `work` raised
    return True


async def _db_upgrade(settings: Settings) -> int:
    from storage import migrate
    from storage.db import create_engine

    await wait_for_database(settings.database_url, 0)
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


async def _add_coordinator(
    settings: Settings, telegram_id: int, programme_name: str, move: bool
) -> int:
    from sqlalchemy import select

    from bot.kit.clock import SystemClock
    from storage import migrate, people
    from storage.db import create_engine, create_session_factory
    from storage.models import Programme

    await wait_for_database(settings.database_url, 0)
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        now = SystemClock().now()
        async with create_session_factory(engine).begin() as session:
            known = await people.find_member(session, people.TELEGRAM, str(telegram_id))
            before = known.person.programme_id if known else None
            programme = await people.ensure_programme(
                session, programme_name, settings.timezone, now
            )
            try:
                _, changed = await people.ensure_telegram_coordinator(
                    session, programme, telegram_id, now, move=move
                )
            except people.OtherProgramme:
                other = await session.scalar(select(Programme.name).where(Programme.id == before))
                print(
                    f"citytrainers-bot: Telegram account {telegram_id} holds a role in the "
                    f"programme {other!r}; a person belongs to one programme, so nothing was "
                    f"changed. Run again with --move to move them to {programme_name!r} and "
                    "revoke their roles there.",
                    file=sys.stderr,
                )
                return 1
    finally:
        await engine.dispose()
    state = "is now" if changed else "was already"
    print(f"Telegram account {telegram_id} {state} a coordinator of {programme_name}")
    if before is not None and before != programme.id:
        print("(moved from another programme; roles held there, if any, were revoked)")
    return 0


async def _run(settings: Settings, features: Sequence[Feature]) -> int:
    from bot.app.factory import build_app
    from bot.app.runtime import Runtime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # Before anything starts: a database that is still coming up is waited for (one line per
    # attempt); one that stays away ends the start-up with one line and exit code 1.
    waiting = wait_for_database(settings.database_url, settings.db_connect_timeout_seconds)
    if not await _unless_stopped(waiting, stop):
        log.info("stopped while waiting for the database")
        return 0
    emulator = None
    mailbox = None
    api_base = None
    if settings.local_mode:
        from bot.kit.config import LOCAL_BOT_TOKEN
        from simulator.mailbox import Mailbox
        from simulator.server import TelegramEmulator

        mailbox = Mailbox()
        try:
            await mailbox.start(host="127.0.0.1", port=0)
        except ImportError:  # aiosmtpd is a development dependency
            log.warning("local mode without a mailbox: install aiosmtpd to catch e-mails")
            mailbox = None
        emulator = TelegramEmulator(default_token=LOCAL_BOT_TOKEN, mailbox=mailbox)
        await emulator.start(host="127.0.0.1", port=settings.emulator_port)
        api_base = emulator.base_url
        settings = local_settings(settings, mailbox.smtp_url if mailbox else None)
    runtime = Runtime(build_app(settings, features, api_base=api_base))
    try:
        await runtime.start()
        if emulator is not None:
            mails = f"; e-mails the bot sends arrive at {emulator.mailbox_url}" if mailbox else ""
            print(
                f"\nLocal mode: open {emulator.webchat_url} to chat with the bot{mails}.\n",
                flush=True,
            )
        log.info("running; web server on %s:%s", settings.web_host, runtime.web_port)
        await stop.wait()
        log.info("stopping")
    finally:
        await runtime.stop()
        if emulator is not None:
            await emulator.stop()
        if mailbox is not None:
            await mailbox.stop()
    return 0


def local_settings(settings: Settings, smtp_url: str | None) -> Settings:
    """Local mode: e-mail goes to the emulator's mailbox, links to this machine's web server
    (unless SMTP_URL, MAIL_FROM or PUBLIC_BASE_URL are set)."""
    from pydantic import SecretStr

    update: dict[str, object] = {}
    if settings.smtp_url is None and smtp_url is not None:
        update["smtp_url"] = SecretStr(smtp_url)
        update["mail_from"] = settings.mail_from or "Citytrainers <citytrainers@localhost>"
    if settings.public_base_url is None and settings.web_port:
        update["public_base_url"] = f"http://localhost:{settings.web_port}"
    return settings.model_copy(update=update)
