"""Typed settings, read from the environment and an optional `.env` file.

Built once by the composition root (`bot.factory`); nothing reads the environment at import time.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    public_base_url: str | None = Field(default=None, description="public URL of the web server")
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
    sweep_seconds: float = Field(default=30.0, gt=0, le=300)
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

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
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @field_validator("telegram_api_base", "webhook_url", "public_base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value

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
        return self

    @property
    def local_mode(self) -> bool:
        """No token: run against the built-in Telegram emulator."""
        return self.telegram_bot_token is None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line for the operator."""


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
