"""Typed settings, read from the environment and an optional `.env` file.

Built once by the composition root (`bot.factory`); nothing reads the environment at import time.
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LOCAL_BOT_TOKEN = "1000000001:LOCAL-emulator-token-for-citytrainers"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Settings(BaseSettings):
    """Everything the bot needs to know about its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="the bot's token from @BotFather; empty = local mode"
    )
    telegram_api_base: str = Field(
        default="https://api.telegram.org", description="Bot API server (a custom one works too)"
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/citytrainers.db",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    redis_url: str | None = Field(default=None, description="redis://host:6379/0 (optional)")
    timezone: str = Field(default="Europe/Amsterdam", description="an IANA time zone")
    webhook_url: str | None = Field(default=None, description="public https URL for webhooks")
    webhook_secret: SecretStr | None = Field(default=None, description="1-256 of A-Za-z0-9_-")
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="comma-separated Telegram ids of first coordinators"
    )
    programme_name: str = Field(default="'s-Hertogenbosch", min_length=1, max_length=100)
    public_base_url: str | None = Field(
        default=None,
        description="public https URL of the web server (links to parents); required with a token",
    )
    smtp_url: SecretStr | None = Field(
        default=None, description="smtp://host:25 or smtps://user:password@host:465 (e-mail)"
    )
    mail_from: str | None = Field(
        default=None, description="sender of e-mail, e.g. Citytrainers <noreply@example.nl>"
    )
    web_host: str = Field(default="127.0.0.1", description="address of the bot's web server")
    web_port: int = Field(default=8080, ge=0, le=65535)
    emulator_port: int = Field(default=8081, ge=0, le=65535, description="local mode only")
    metrics_token: SecretStr | None = Field(
        default=None, description="when set, /metrics needs 'Authorization: Bearer <token>'"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    outbox_rate_per_second: float = Field(default=25.0, gt=0, le=30)
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_lease_seconds: float = Field(default=120.0, ge=1, le=3600)
    sweep_seconds: float = Field(default=30.0, gt=0, le=300)
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    max_concurrent_updates: int = Field(
        default=16,
        ge=1,
        le=256,
        description="updates of different people handled at the same time (long polling)",
    )
    db_connect_timeout_seconds: float = Field(
        default=120.0,
        ge=0,
        le=3600,
        description="how long `run` keeps trying to reach the database at start-up",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "telegram_bot_token",
        "webhook_secret",
        "redis_url",
        "webhook_url",
        "public_base_url",
        "metrics_token",
        "smtp_url",
        "mail_from",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected a bot token like 123456:ABC-DEF... from @BotFather")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/Amsterdam") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        expected = (
            "expected sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
        )
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(expected)
        try:
            make_url(value)
        except (ArgumentError, ValueError):  # such as a port that is not a number
            raise ValueError(expected) from None
        return value

    @field_validator("telegram_api_base", "webhook_url", "public_base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        try:
            parts = urlsplit(value.get_secret_value())
            usable = parts.scheme in ("smtp", "smtps") and bool(parts.hostname)
            _ = parts.port  # raises ValueError for a port that is not a number
        except ValueError:
            usable = False
        if not usable:
            raise ValueError("expected smtp://host:25 or smtps://user:password@host:465")
        return value

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str | None) -> str | None:
        if value is None:
            return value
        address = email.utils.parseaddr(value)[1]
        if "@" not in address or any(ch in value for ch in "\r\n"):
            raise ValueError("expected an e-mail address, e.g. Citytrainers <noreply@example.nl>")
        return value.strip()

    @field_validator("redis_url")
    @classmethod
    def _check_redis(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db")
        return value

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("expected comma-separated numeric Telegram ids, e.g. 12345,67890")
            return [int(p) for p in parts]
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.telegram_bot_token is None:
            raise ValueError("WEBHOOK_URL needs TELEGRAM_BOT_TOKEN too")
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET (1-256 of A-Za-z0-9_-)")
        if self.smtp_url is not None and self.mail_from is None:
            raise ValueError("SMTP_URL needs MAIL_FROM (e.g. Citytrainers <noreply@example.nl>)")
        if self.telegram_bot_token is not None and self.public_base_url is not None:
            problem = public_url_problem(self.public_base_url)
            if problem is not None:
                raise ValueError(f"PUBLIC_BASE_URL: {problem}")
        return self

    @property
    def local_mode(self) -> bool:
        """No token: run against the built-in Telegram emulator."""
        return self.telegram_bot_token is None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def link_base(self) -> str | None:
        """The base of links in messages (consent pages), or None when there is no usable one.

        Only PUBLIC_BASE_URL, never the address the web server listens on: a link never points
        at 127.0.0.1, 0.0.0.0 or another loopback or unspecified address. With a token it must
        be a public https URL; local mode (no token) may use http://localhost, where the
        developer's own browser runs.
        """
        base = self.public_base_url
        if base is None:
            return None
        if self.local_mode:
            host = urlsplit(base).hostname or ""
            return None if _unusable_host(host, allow_localhost=True) else base
        return None if public_url_problem(base) else base


def _unusable_host(host: str, *, allow_localhost: bool = False) -> bool:
    """A host no one else can reach: empty, loopback, unspecified (0.0.0.0, ::) or, unless
    allowed, localhost."""
    name = host.strip("[]").rstrip(".").lower()
    if not name:
        return True
    if name == "localhost" or name.endswith(".localhost"):
        return not allow_localhost
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def public_url_problem(url: str) -> str | None:
    """Why `url` cannot be the public base of links to parents (https, a reachable host)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "expected a public https:// URL (links in messages to parents)"
    if _unusable_host(parts.hostname or ""):
        return "expected a public address, not 127.0.0.1, 0.0.0.0 or localhost"
    return None


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line for the operator."""


def check_for_run(settings: Settings) -> None:
    """What `run` needs beyond the settings' own checks: with a real token, PUBLIC_BASE_URL
    (the consent pages' links go to parents). Raises ConfigError with one line."""
    if settings.telegram_bot_token is not None and settings.public_base_url is None:
        raise ConfigError(
            "PUBLIC_BASE_URL: required with TELEGRAM_BOT_TOKEN: the public https:// address of "
            "the bot's web server (links in messages to parents)"
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one clear line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = "_".join(str(p) for p in err["loc"]).upper() or "settings"
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{loc}: {msg}")
        raise ConfigError("; ".join(lines)) from None
