"""Settings: defaults, one clear line for a bad value, and secrets kept out of the logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data.config import CLOUD_API_SERVER, LOCAL_UPLOAD_LIMIT, ConfigError, load_settings
from misc.runtime.logging_setup import RedactingFilter, configure_logging
from tiktok_api.config import WatchSettings

ROOT = Path(__file__).resolve().parent.parent


def settings_from(**values: str):
    return load_settings(environ=values, env_file=None)


def test_defaults_run_on_sqlite_against_the_telegram_cloud() -> None:
    settings = settings_from(BOT_TOKEN="1:x")
    assert settings.db_url == "sqlite+aiosqlite:///tt-bot.sqlite3"
    assert settings.telegram.server == CLOUD_API_SERVER
    assert settings.tiktok.url_resolve_max_retries == 3
    assert settings.tiktok.video_info_max_retries == 3
    assert settings.tiktok.download_max_retries == 3
    assert settings.tiktok.max_video_duration == 0
    assert settings.admin_ids == frozenset()


def test_postgresql_urls_go_through_asyncpg() -> None:
    settings = settings_from(DB_URL="postgresql://bot:pw@db:5432/tt")
    assert settings.db_url == "postgresql+asyncpg://bot:pw@db:5432/tt"


def test_local_bot_api_server_lifts_the_upload_limit() -> None:
    settings = settings_from(TG_SERVER="http://bot-api:8081/", TG_SERVER_LOCAL="true")
    assert settings.telegram.server == "http://bot-api:8081"
    assert settings.telegram.upload_limit == LOCAL_UPLOAD_LIMIT


def test_extraction_alert_settings_have_defaults_and_read_the_environment() -> None:
    assert settings_from().extraction_alert == WatchSettings(
        window=900.0, threshold=0.5, min_attempts=10, alert_interval=3600.0
    )
    read = settings_from(
        EXTRACTION_ALERT_WINDOW="60",
        EXTRACTION_ALERT_THRESHOLD="0.25",
        EXTRACTION_ALERT_MIN_ATTEMPTS="4",
        EXTRACTION_ALERT_INTERVAL="0",
    )
    assert read.extraction_alert == WatchSettings(window=60.0, threshold=0.25, min_attempts=4, alert_interval=0.0)


def test_id_lists_are_json() -> None:
    assert settings_from(ADMIN_IDS="[1, 2]").admin_ids == {1, 2}
    assert settings_from(STATS_IDS="7").stats_ids == {7}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "1,2"),
        ("MAX_CONCURRENT_JOBS", "many"),
        ("MAX_USER_QUEUE_SIZE", "-1"),
        ("TG_SERVER_LOCAL", "maybe"),
        ("TG_SERVER", "ftp://x"),
        ("DB_URL", "mysql://x"),
        ("STORAGE_CHANNEL_ID", "@channel"),
        ("PROXY_FILE", "/nonexistent/proxies.txt"),
        ("LOG_LEVEL", "LOUD"),
        ("EXTRACTION_ALERT_THRESHOLD", "1.5"),
        ("EXTRACTION_ALERT_THRESHOLD", "0"),
        ("EXTRACTION_ALERT_WINDOW", "0"),
        ("EXTRACTION_ALERT_MIN_ATTEMPTS", "0"),
    ],
)
def test_a_malformed_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings_from(**{name: value})


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BOT_TOKEN=from-file\nMAX_CONCURRENT_JOBS=7\n")
    settings = load_settings(environ={"MAX_CONCURRENT_JOBS": "9"}, env_file=env_file)
    assert settings.telegram.bot_token == "from-file"
    assert settings.queue.max_concurrent_jobs == 9


@pytest.mark.parametrize(("script", "variable"), [("main.py", "BOT_TOKEN"), ("maintenance_bot.py", "BOT_TOKEN")])
def test_missing_token_prints_one_line_and_exits_non_zero(tmp_path: Path, script: str, variable: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"BOT_TOKEN", "STATS_BOT_TOKEN"}}
    result = subprocess.run(
        [sys.executable, str(ROOT / script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1
    assert f"{variable} is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_value_stops_start_up_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_TOKEN": "1:x", "MAX_CONCURRENT_JOBS": "lots"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["tt-bot: MAX_CONCURRENT_JOBS must be a whole number, got 'lots'"]


def test_token_and_database_password_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456789:AAExampleSecretTokenValue_0123456789"
    settings = settings_from(
        BOT_TOKEN=token, DB_URL="postgresql://bot:S3cretPassw0rd@db/tt", REDIS_URL="redis://:R3disPass@r:6379/0"
    )
    redactor = RedactingFilter(settings.secrets)
    logger = logging.getLogger("tt-bot.test")
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="tt-bot.test"):
            logger.info("calling https://api.telegram.org/bot%s/getMe", token)
            logger.info("database %s", "postgresql://bot:S3cretPassw0rd@db/tt")
            logger.info("proxy %s failed", "http://user:proxypass@10.0.0.1:3128")
            try:
                raise RuntimeError(f"connect failed for token {token} password S3cretPassw0rd")
            except RuntimeError:
                logger.exception("boom")
    finally:
        logger.removeFilter(redactor)
    output = caplog.text + "".join(record.exc_text or "" for record in caplog.records)
    for secret in (token, "S3cretPassw0rd", "R3disPass", "proxypass"):
        assert secret not in output
    assert "https://api.telegram.org/bot***/getMe" in output


def test_configured_logging_redacts_what_the_process_prints(tmp_path: Path) -> None:
    code = (
        "import logging; from data.config import load_settings;"
        "from misc.runtime.logging_setup import configure_logging;"
        "s = load_settings(env_file=None); configure_logging('INFO', s.secrets);"
        "logging.getLogger('x').info('token=%s db=%s', s.telegram.bot_token, 'postgresql://u:DbPassw0rd@h/d')"
    )
    env = {**os.environ, "BOT_TOKEN": "42:SuperSecretTokenForTests_abcdefgh", "DB_URL": "postgresql://u:DbPassw0rd@h/d"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "token=***" in result.stderr
    assert "SuperSecretTokenForTests" not in result.stderr
    assert "DbPassw0rd" not in result.stderr
    assert configure_logging is not None
