"""Settings of a TikTokClient. The caller builds it (from its own settings, or `from_env` for the CLI)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MEGABYTE = 1024 * 1024
TELEGRAM_UPLOAD_LIMIT = 50 * MEGABYTE


@dataclass(frozen=True, slots=True)
class ClientConfig:
    proxy_file: Path | None = None
    proxy_include_host: bool = False  # the direct connection takes part in the rotation
    proxy_data_only: bool = False  # media downloads go direct, only page requests use proxies
    # Attempts per part (each retry runs through the next proxy).
    url_resolve_max_retries: int = 3
    video_info_max_retries: int = 3
    download_max_retries: int = 3
    max_video_duration: int = 0  # seconds, 0 = no limit
    max_file_size: int = TELEGRAM_UPLOAD_LIMIT  # the upload limit the caller can deliver
    ytdlp_workers: int = 4
    max_concurrent_downloads: int = 16
    memory_threshold: int = 8 * MEGABYTE  # media bigger than this go to a temporary file
    temp_dir: Path | None = None
    connect_timeout: float = 10
    read_timeout: float = 30  # longest silence while receiving
    total_timeout: float = 120  # a whole video()/music() call
    # A step with no first byte after this many seconds starts again through the next proxy (0: never);
    # at most `proxy_hedge_limit` such hedges run at once.
    proxy_hedge_after: float = 3.0
    proxy_hedge_limit: int = 4

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> ClientConfig:
        """The variables of `.env.example` (PROXY_FILE, …); for the command line, the bot has its own settings."""
        env = os.environ if environ is None else environ

        def flag(name: str) -> bool:
            return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")

        def integer(name: str, default: int) -> int:
            value = env.get(name, "").strip()
            return int(value) if value else default

        def number(name: str, default: float) -> float:
            value = env.get(name, "").strip()
            return float(value) if value else default

        proxy_file = env.get("PROXY_FILE", "").strip()
        values: dict[str, object] = {
            "proxy_file": Path(proxy_file) if proxy_file else None,
            "proxy_include_host": flag("PROXY_INCLUDE_HOST"),
            "proxy_data_only": flag("PROXY_DATA_ONLY"),
            "url_resolve_max_retries": integer("URL_RESOLVE_MAX_RETRIES", 3),
            "video_info_max_retries": integer("VIDEO_INFO_MAX_RETRIES", 3),
            "download_max_retries": integer("DOWNLOAD_MAX_RETRIES", 3),
            "max_video_duration": integer("MAX_VIDEO_DURATION", 0),
            "ytdlp_workers": integer("YTDLP_WORKERS", 4),
            "proxy_hedge_after": number("PROXY_HEDGE_AFTER", 3.0),
            "proxy_hedge_limit": integer("PROXY_HEDGE_LIMIT", 4),
        }
        if flag("TG_SERVER_LOCAL"):
            values["max_file_size"] = 2000 * MEGABYTE
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class WatchSettings:
    window: float = 900.0  # seconds of page reads the failure rate is taken over
    threshold: float = 0.5  # failure rate (0–1] that raises the alarm
    min_attempts: int = 10  # fewer reads in the window never alarm
    alert_interval: float = 3600.0  # seconds between two alarms at least (no flapping spam)
