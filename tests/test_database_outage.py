"""The database goes away while the bot runs: users still get their media, or a clear answer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from data.database import PING_AFTER_IDLE
from data.locales import Locales
from tests.fakes.telegram import FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.plugins.database import create_database, drop_database, dsn_for

BotWithDatabase = Callable[[], Awaitable[None]]


@pytest.fixture
async def bot_database(start_bot) -> AsyncIterator[str]:
    """The bot started on a database of its own; the result is that database's name."""
    name = f"ttbot_outage_{uuid.uuid4().hex[:8]}"
    await create_database(name)
    await start_bot(DB_URL=dsn_for(name))
    yield name
    await drop_database(name)


@pytest.fixture
def database_goes_away(bot_database: str) -> BotWithDatabase:
    """Calling the result drops the bot's database under it."""

    async def drop() -> None:
        await drop_database(bot_database)  # WITH (FORCE): the bot's pooled connections are cut too

    return drop


async def test_a_link_still_gets_its_video_when_the_database_is_gone(
    fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, database_goes_away: BotWithDatabase
) -> None:
    post = fake_tiktok.add_video("7350000000000009501")
    await database_goes_away()
    fake_telegram.send_message(9501, post.url)
    video = await fake_telegram.wait_for_call("sendVideo", lambda c: c.params["chat_id"] == 9501, timeout=60)
    assert video.file("video").data == post.h264.read()


async def test_start_gets_a_localized_apology_when_the_database_is_gone(
    fake_telegram: FakeTelegram, database_goes_away: BotWithDatabase
) -> None:
    await database_goes_away()
    fake_telegram.send_message(9502, "/start", language_code="ru")
    reply = await fake_telegram.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 9502, timeout=30)
    assert reply.params["text"] == Locales.load().text("ru", "error_unknown")


async def test_after_a_database_restart_the_next_update_reads_the_stored_language(
    fake_telegram: FakeTelegram, bot_database: str
) -> None:
    """A restart cuts every pooled connection; the first update after it must not be the one that finds out."""
    fake_telegram.send_message(9503, "/start", language_code="en")
    await fake_telegram.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 9503, timeout=30)
    await _in_database(bot_database, "UPDATE users SET language = 'ru' WHERE chat_id = 9503")
    await _in_database(
        bot_database,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()",
    )
    await asyncio.sleep(PING_AFTER_IDLE + 0.5)  # the pooled connections are now idle long enough to be pinged

    fake_telegram.send_message(9503, "/start", language_code="en")
    replies = await fake_telegram.wait_for_calls(
        "sendMessage", 2, predicate=lambda c: c.params["chat_id"] == 9503, timeout=30
    )
    assert replies[-1].params["text"] == Locales.load().text("ru", "start_welcome")


async def _in_database(name: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn_for(name), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
