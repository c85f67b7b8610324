"""The real download bot (`main.build`) polling the fake Telegram, with the fake TikTok behind its proxies.

`start_bot(**env)` builds and starts main.py's app with extra environment variables (e.g.
`MAX_USER_QUEUE_SIZE="1"`); `tt_bot` is one started with the defaults. Both stop cleanly after the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress

import pytest

import main
from data.config import load_settings
from tests.fakes.telegram import FakeTelegram
from tests.fakes.tiktok import FakeTikTok

STOP_TIMEOUT = 15.0
TEST_ENVIRONMENT = {
    "LOG_LEVEL": "WARNING",
    "SHUTDOWN_TIMEOUT": "5",
    # Retries rotate proxies at once; three fake proxies, so a broken one never decides a test.
    "VIDEO_INFO_MAX_RETRIES": "3",
}

StartBot = Callable[..., Awaitable[main.BotApp]]


def bot_environment(fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, db_url: str, **extra: str) -> dict[str, str]:
    return {
        **TEST_ENVIRONMENT,
        "BOT_TOKEN": fake_telegram.token,
        "TG_SERVER": fake_telegram.base_url,
        "DB_URL": db_url,
        "PROXY_FILE": str(fake_tiktok.proxy_file),
        **extra,
    }


async def _stop(app: main.BotApp, polling: asyncio.Task[None]) -> None:
    if not polling.done():
        with suppress(RuntimeError):  # polling had not started yet
            await app.dispatcher.stop_polling()
        try:
            await asyncio.wait_for(polling, STOP_TIMEOUT)
        except TimeoutError:
            polling.cancel()
    await app.close()


@pytest.fixture
async def start_bot(fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, db_url: str) -> AsyncIterator[StartBot]:
    running: list[tuple[main.BotApp, asyncio.Task[None]]] = []

    async def start(**env: str) -> main.BotApp:
        settings = load_settings(environ=bot_environment(fake_telegram, fake_tiktok, db_url, **env), env_file=None)
        app = await main.build(settings)
        polling = asyncio.create_task(
            app.dispatcher.start_polling(
                app.bot, handle_signals=False, allowed_updates=app.dispatcher.resolve_used_update_types()
            )
        )
        running.append((app, polling))
        return app

    yield start
    for app, polling in reversed(running):
        await _stop(app, polling)


@pytest.fixture
async def tt_bot(start_bot: StartBot) -> main.BotApp:
    return await start_bot()
