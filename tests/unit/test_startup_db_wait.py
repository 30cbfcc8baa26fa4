"""Start-up with the database unreachable: one line per attempt, capped exponential backoff, a
limit, one final line; never a traceback or the password. Time is fake: nothing sleeps."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from sqlalchemy.exc import DBAPIError

from bot.app.cli import (
    DatabaseUnavailable,
    _unless_stopped,
    connect_problem,
    database_name,
    wait_for_database,
)
from bot.kit.config import ConfigError, load_settings

URL = "postgresql+asyncpg://citytrainers:s3cret-pw@db.internal:5432/citytrainers"
SHOWN = "postgresql+asyncpg://citytrainers:***@db.internal:5432/citytrainers"


class FakeTime:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.seconds += seconds


class FailingConnect:
    """Fails `failures` times (raising `error`), then connects."""

    def __init__(self, failures: int, error: BaseException | None = None) -> None:
        self.failures = failures
        self.error = error or ConnectionRefusedError(111, "Connect call failed ('10.0.0.5', 5432)")
        self.attempts = 0

    async def __call__(self, url: str) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error


def attempt_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot"]


async def test_retries_with_capped_exponential_backoff_until_the_database_answers(
    caplog: pytest.LogCaptureFixture,
):
    fake = FakeTime()
    connect = FailingConnect(failures=7)
    with caplog.at_level(logging.INFO, logger="bot"):
        await wait_for_database(
            URL, 120, connect=connect, sleep=fake.sleep, monotonic=fake.monotonic
        )
    assert connect.attempts == 8
    assert fake.sleeps == [1, 2, 4, 8, 16, 30, 30]
    records = attempt_lines(caplog)
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 7  # one line per failed attempt
    for record in records:
        line = record.getMessage()
        assert record.exc_info is None and "\n" not in line
        assert SHOWN in line and "s3cret-pw" not in line
    assert "Connect call failed" in warnings[0].getMessage()
    assert "attempt 1, trying again in 1.0 s" in warnings[0].getMessage()
    assert "reached (attempt 8)" in records[-1].getMessage()


async def test_gives_up_after_the_limit_with_one_line(caplog: pytest.LogCaptureFixture):
    fake = FakeTime()
    connect = FailingConnect(failures=1000)
    with caplog.at_level(logging.INFO, logger="bot"), pytest.raises(DatabaseUnavailable) as info:
        await wait_for_database(
            URL, 10, connect=connect, sleep=fake.sleep, monotonic=fake.monotonic
        )
    # 1 + 2 + 4 = 7 s, then only the 3 s that are left: the last attempt is at the limit
    assert fake.sleeps == [1, 2, 4, 3]
    assert connect.attempts == 5
    message = str(info.value)
    assert "\n" not in message and SHOWN in message and "s3cret-pw" not in message
    assert "gave up after 5 attempts in 10 s" in message
    assert "DB_CONNECT_TIMEOUT_SECONDS=10" in message
    assert len(attempt_lines(caplog)) == 4


async def test_a_limit_of_zero_tries_once():
    fake = FakeTime()
    connect = FailingConnect(failures=1)
    with pytest.raises(DatabaseUnavailable) as info:
        await wait_for_database(URL, 0, connect=connect, sleep=fake.sleep, monotonic=fake.monotonic)
    assert connect.attempts == 1 and fake.sleeps == []
    assert str(info.value) == (
        f"cannot reach the database {SHOWN}: [Errno 111] Connect call failed ('10.0.0.5', 5432)"
    )


class AsyncpgLikeError(Exception):
    pass


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), "[Errno 111] Connect call failed"),
        (
            socket.gaierror(-2, "Name or service not known"),
            "[Errno -2] Name or service not known",
        ),
        (TimeoutError(), "no answer within 10 s"),
        (
            DBAPIError(
                "connect",
                None,
                AsyncpgLikeError('password authentication failed for user "citytrainers"'),
            ),
            'password authentication failed for user "citytrainers"',
        ),
        (OSError("cannot open s3cret-pw\nsecond line"), "cannot open *** second line"),
    ],
    ids=["refused", "dns", "timeout", "auth", "password and newlines scrubbed"],
)
async def test_every_way_of_not_reaching_the_database_is_one_line(
    error: BaseException, expected: str
):
    assert connect_problem(error, URL) == expected
    fake = FakeTime()
    with pytest.raises(DatabaseUnavailable) as info:
        await wait_for_database(
            URL, 0, connect=FailingConnect(1, error), sleep=fake.sleep, monotonic=fake.monotonic
        )
    assert str(info.value) == f"cannot reach the database {SHOWN}: {expected}"


async def test_other_errors_are_not_taken_for_an_unreachable_database():
    fake = FakeTime()
    with pytest.raises(ValueError):
        await wait_for_database(
            URL,
            60,
            connect=FailingConnect(1, ValueError("a bug")),
            sleep=fake.sleep,
            monotonic=fake.monotonic,
        )
    assert fake.sleeps == []


def test_the_database_is_named_without_its_password():
    assert database_name(URL) == SHOWN
    assert database_name("sqlite+aiosqlite:///data/citytrainers.db") == (
        "sqlite+aiosqlite:///data/citytrainers.db"
    )
    assert database_name("postgresql+asyncpg://citytrainers@127.0.0.1:1/x") == (
        "postgresql+asyncpg://citytrainers@127.0.0.1:1/x"
    )
    # a URL SQLAlchemy cannot read (a port that is not a number): only its scheme
    assert database_name("postgresql+asyncpg://u:s3cret-pw@db:port/x") == "postgresql+asyncpg://..."


def test_a_database_url_sqlalchemy_cannot_read_is_a_configuration_error():
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None, database_url="postgresql+asyncpg://u:s3cret-pw@db:port/x")
    assert str(info.value).startswith("DATABASE_URL: expected ")
    assert "s3cret-pw" not in str(info.value)


async def test_a_stop_signal_ends_the_wait():
    stop = asyncio.Event()
    waiting = asyncio.Event()
    cancelled = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waiting.set()
        try:
            await asyncio.Event().wait()  # a backoff that would never end by itself
        except asyncio.CancelledError:
            cancelled.set()
            raise

    work = wait_for_database(URL, 120, connect=FailingConnect(1000), sleep=sleep)
    task = asyncio.create_task(_unless_stopped(work, stop))
    await waiting.wait()
    stop.set()  # what SIGTERM or SIGINT does
    async with asyncio.timeout(5):
        assert await task is False
    assert cancelled.is_set()


async def test_unless_stopped_returns_or_raises_what_the_work_does():
    async def fine() -> None:
        pass

    async def broken() -> None:
        raise DatabaseUnavailable("cannot reach the database x")

    assert await _unless_stopped(fine(), asyncio.Event()) is True
    with pytest.raises(DatabaseUnavailable):
        await _unless_stopped(broken(), asyncio.Event())
