"""Settings read from the environment (and `.env`), validated once at start-up.

Every variable of DESIGN.md lives here with its default; `.env.example` lists the same names.
A wrong value raises `ConfigError` whose message names the variable, so the entry points can print
one clear line instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from tiktok_api.config import ClientConfig, WatchSettings

CLOUD_API_SERVER = "https://api.telegram.org"
CLOUD_UPLOAD_LIMIT = 50 * 1024 * 1024
LOCAL_UPLOAD_LIMIT = 2000 * 1024 * 1024
DEFAULT_DB_FILE = "tt-bot.sqlite3"
# As @BotFather gives it: the bot's numeric id, a colon, the secret.
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A required variable is missing or a value cannot be parsed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    bot_token: str | None
    stats_bot_token: str | None
    server: str
    server_is_local: bool
    bot_tag: str

    @property
    def upload_limit(self) -> int:
        return LOCAL_UPLOAD_LIMIT if self.server_is_local else CLOUD_UPLOAD_LIMIT


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str | None
    secret: str | None
    path: str
    host: str
    port: int

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    max_user_queue_size: int
    max_concurrent_jobs: int
    max_links_per_message: int


@dataclass(frozen=True, slots=True)
class Settings:
    telegram: TelegramSettings
    webhook: WebhookSettings
    tiktok: ClientConfig
    queue: QueueSettings
    db_url: str
    redis_url: str | None
    admin_ids: frozenset[int]
    stats_ids: frozenset[int]
    storage_channel_id: int | None
    join_logs: int | None
    stats_chat: int | None
    shutdown_timeout: float
    log_level: str
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # Seconds between refreshes of the two STATS_CHAT messages (overall, last 24 h).
    stats_overall_interval: float = 3600.0
    stats_daily_interval: float = 300.0
    # When to tell ADMIN_IDS that TikTok pages cannot be read (EXTRACTION_ALERT_*).
    extraction_alert: WatchSettings = field(default_factory=WatchSettings)

    def require_bot_token(self) -> str:
        return _token(self.telegram.bot_token, "BOT_TOKEN")

    def require_stats_bot_token(self) -> str:
        return _token(self.telegram.stats_bot_token, "STATS_BOT_TOKEN")


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def _token(value: str | None, name: str) -> str:
    token = _required(value, name)
    if not TOKEN_SHAPE.fullmatch(token):
        # Never echo the value: it may be a real token pasted with a typo.
        raise ConfigError(f"{name} is malformed: expected <bot id>:<secret> as @BotFather gives it")
    return token


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


class _Reader:
    """Typed access to one mapping of raw strings; every error names its variable."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = values

    def text(self, name: str, default: str | None = None) -> str | None:
        raw = self._values.get(name)
        if raw is None or raw.strip() == "":
            return default
        return raw.strip()

    def integer(self, name: str, default: int, *, minimum: int | None = 0) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
        return value

    def optional_integer(self, name: str) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number (a chat id), got {raw!r}") from None

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        if value < 0:
            raise ConfigError(f"{name} must not be negative, got {raw!r}")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")

    def id_list(self, name: str) -> frozenset[int]:
        raw = self.text(name)
        if raw is None:
            return frozenset()
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            parsed = [parsed]
        if not isinstance(parsed, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in parsed
        ):
            raise ConfigError(f"{name} must be a JSON list of numeric ids, like [12345, 67890]")
        return frozenset(parsed)

    def url(self, name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
        value = self.text(name, default)
        if value is not None and not value.startswith(schemes):
            raise ConfigError(f"{name} must start with one of {', '.join(schemes)}")
        return value


def normalize_db_url(url: str | None) -> str:
    """Map operator-friendly URLs onto the async drivers: postgresql:// → asyncpg, unset → SQLite file."""
    if not url:
        return f"sqlite+aiosqlite:///{DEFAULT_DB_FILE}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ConfigError("DB_URL must be a postgresql:// or sqlite:// URL")


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Build settings from `.env` overlaid by the process environment (the environment wins)."""
    values: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)
    read = _Reader(values)

    telegram = TelegramSettings(
        bot_token=read.text("BOT_TOKEN"),
        stats_bot_token=read.text("STATS_BOT_TOKEN"),
        server=(read.url("TG_SERVER", CLOUD_API_SERVER, ("http://", "https://")) or "").rstrip("/"),
        server_is_local=read.flag("TG_SERVER_LOCAL"),
        bot_tag=read.text("BOT_TAG", "") or "",
    )
    webhook = WebhookSettings(
        url=read.url("WEBHOOK_URL", None, ("https://", "http://")),
        secret=read.text("WEBHOOK_SECRET"),
        path=read.text("WEBHOOK_PATH", "/webhook") or "/webhook",
        host=read.text("WEBHOOK_HOST", "0.0.0.0") or "0.0.0.0",
        port=read.integer("WEBHOOK_PORT", 8080, minimum=1),
    )
    proxy_file = read.text("PROXY_FILE")
    tiktok = ClientConfig(
        proxy_file=Path(proxy_file) if proxy_file else None,
        proxy_include_host=read.flag("PROXY_INCLUDE_HOST"),
        proxy_data_only=read.flag("PROXY_DATA_ONLY"),
        url_resolve_max_retries=read.integer("URL_RESOLVE_MAX_RETRIES", 3, minimum=1),
        video_info_max_retries=read.integer("VIDEO_INFO_MAX_RETRIES", 3, minimum=1),
        download_max_retries=read.integer("DOWNLOAD_MAX_RETRIES", 3, minimum=1),
        max_video_duration=read.integer("MAX_VIDEO_DURATION", 0),
        ytdlp_workers=read.integer("YTDLP_WORKERS", 4, minimum=1),
        proxy_hedge_after=read.number("PROXY_HEDGE_AFTER", 3.0),
        proxy_hedge_limit=read.integer("PROXY_HEDGE_LIMIT", 4),
        max_file_size=telegram.upload_limit,
    )
    if tiktok.proxy_file is not None and not tiktok.proxy_file.is_file():
        raise ConfigError(f"PROXY_FILE names {tiktok.proxy_file}, which does not exist")
    queue = QueueSettings(
        max_user_queue_size=read.integer("MAX_USER_QUEUE_SIZE", 3),
        max_concurrent_jobs=read.integer("MAX_CONCURRENT_JOBS", 32, minimum=1),
        max_links_per_message=read.integer("MAX_LINKS_PER_MESSAGE", 5, minimum=1),
    )
    raw_db_url = read.text("DB_URL")
    settings = Settings(
        telegram=telegram,
        webhook=webhook,
        tiktok=tiktok,
        queue=queue,
        db_url=normalize_db_url(raw_db_url),
        redis_url=read.url("REDIS_URL", None, ("redis://", "rediss://", "unix://")),
        admin_ids=read.id_list("ADMIN_IDS"),
        stats_ids=read.id_list("STATS_IDS"),
        storage_channel_id=read.optional_integer("STORAGE_CHANNEL_ID"),
        join_logs=read.optional_integer("JOIN_LOGS"),
        stats_chat=read.optional_integer("STATS_CHAT"),
        shutdown_timeout=read.number("SHUTDOWN_TIMEOUT", 30.0),
        log_level=_log_level(read.text("LOG_LEVEL", "INFO") or "INFO"),
        secrets=_secrets_of(read, raw_db_url),
        stats_overall_interval=_positive(read.number("STATS_OVERALL_INTERVAL", 3600.0), "STATS_OVERALL_INTERVAL"),
        stats_daily_interval=_positive(read.number("STATS_DAILY_INTERVAL", 300.0), "STATS_DAILY_INTERVAL"),
        extraction_alert=_extraction_alert(read),
    )
    return settings


def _extraction_alert(read: _Reader) -> WatchSettings:
    defaults = WatchSettings()
    threshold = read.number("EXTRACTION_ALERT_THRESHOLD", defaults.threshold)
    if not 0 < threshold <= 1:
        raise ConfigError(f"EXTRACTION_ALERT_THRESHOLD must be a failure rate above 0 and at most 1, got {threshold:g}")
    return WatchSettings(
        window=_positive(read.number("EXTRACTION_ALERT_WINDOW", defaults.window), "EXTRACTION_ALERT_WINDOW"),
        threshold=threshold,
        min_attempts=read.integer("EXTRACTION_ALERT_MIN_ATTEMPTS", defaults.min_attempts, minimum=1),
        alert_interval=read.number("EXTRACTION_ALERT_INTERVAL", defaults.alert_interval),
    )


def _positive(value: float, name: str) -> float:
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0 seconds, got {value:g}")
    return value


def _secrets_of(read: _Reader, raw_db_url: str | None) -> tuple[str, ...]:
    """Every value that must never reach a log line, for the redacting log filter."""
    found = [read.text(name) for name in ("BOT_TOKEN", "STATS_BOT_TOKEN", "WEBHOOK_SECRET")]
    for url in (raw_db_url, read.text("REDIS_URL")):
        password = _password_in_url(url)
        if password:
            found.append(password)
    return tuple(sorted({secret for secret in found if secret and len(secret) >= 4}, key=len, reverse=True))


def _password_in_url(url: str | None) -> str | None:
    if not url or "@" not in url or "://" not in url:
        return None
    credentials = url.split("://", 1)[1].rsplit("@", 1)[0]
    return credentials.split(":", 1)[1] if ":" in credentials else None
