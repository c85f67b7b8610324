"""Stats bot fixtures: a database with the stats tables emptied, on PostgreSQL and on SQLite, and one
set of known rows (users, videos, sounds) whose every figure the tests spell out."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiogram.types import TelegramObject
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from data.config import load_settings
from data.database import create_engine, create_session_factory, upgrade_database
from data.models import Music, User, Video
from data.repositories.stats import STATS_TABLES
from tests.fakes.telegram import FakeTelegram
from tests.plugins.database import truncate_all

# A fixed "now" for repository tests: 12:30 UTC, so the rollup horizon is today's midnight.
FIXED_NOW = datetime(2026, 6, 15, 12, 30, tzinfo=UTC)


async def clear_stats_tables(engine: AsyncEngine) -> None:
    """The lead's per-test truncation knows only the main models; the stats tables are ours to empty."""
    names = ", ".join(f'"{table.name}"' for table in STATS_TABLES)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names}"))


@pytest.fixture
async def stats_pg_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    await clear_stats_tables(db_engine)
    return create_session_factory(db_engine)


@pytest.fixture(params=["postgresql", "sqlite"])
def stats_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same questions must get the same answers from PostgreSQL and from the embedded SQLite file."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_database_url").replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"sqlite+aiosqlite:///{tmp_path / 'stats.sqlite3'}"


@pytest.fixture
async def stats_sessions(stats_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(stats_database_url)
    if stats_database_url.startswith("postgresql"):
        await truncate_all(engine)
        await clear_stats_tables(engine)
    else:
        await upgrade_database(engine)
    yield create_session_factory(engine)
    await engine.dispose()


@dataclass(frozen=True, slots=True)
class Delivery:
    chat_id: int
    kind: str
    outcome: str
    age: timedelta
    error_kind: str | None = None
    is_inline: bool = False
    size: int | None = None
    duration_ms: int | None = None
    source: str | None = None  # the door; None: inline when `is_inline`, else chat
    codec: str | None = None
    has_audio: bool | None = None


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)


def _days(n: float) -> timedelta:
    return timedelta(days=n)


# (chat id, chat type, language, referral, file mode, blocked, registered this long ago)
KNOWN_USERS = [
    (101, "private", "en", "ads", True, False, _hours(1)),
    (102, "private", "ru", "ads", False, False, _days(3)),
    (103, "private", "en", None, False, True, _days(40)),
    (104, "private", "uk", "friends", False, False, _days(10)),
    (-1001, "supergroup", "en", None, False, False, _hours(2)),
    (-1002, "group", None, None, False, False, _days(20)),
]
KNOWN_VIDEOS = [
    Delivery(101, "video", "success", _minutes(30), size=1000, duration_ms=1200, codec="h264", has_audio=False),
    Delivery(101, "video", "success", _hours(5), is_inline=True, size=2000, duration_ms=800),
    Delivery(101, "slideshow", "success", _days(2), size=3000, duration_ms=2500),
    Delivery(102, "video", "failed", _hours(3), error_kind="deleted", duration_ms=300),
    Delivery(102, "video", "success", _days(3), size=4000, duration_ms=1500, codec="hevc", has_audio=False),
    Delivery(103, "video", "success", _days(45), size=500, duration_ms=3000),
    Delivery(-1001, "video", "success", _hours(1), size=6000, duration_ms=900, source="guest", codec="hevc"),
    Delivery(-1001, "slideshow", "failed", _minutes(50), error_kind="network", duration_ms=5000),
    Delivery(-1002, "video", "success", _days(20), size=7000, duration_ms=2000),
    Delivery(104, "video", "failed", _days(10), error_kind="network", duration_ms=100),
]
KNOWN_SOUNDS = [
    Delivery(101, "music", "success", _minutes(20), size=100, duration_ms=400),
    Delivery(-1001, "music", "success", _hours(6), size=200, duration_ms=600),
    Delivery(102, "music", "failed", _days(8), error_kind="deleted", duration_ms=50),
    Delivery(104, "music", "success", _days(35), size=300, duration_ms=700),
]


async def seed_known_rows(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Rows as the main bot writes them, timed relative to `now`."""
    async with sessions() as session:
        for chat_id, chat_type, language, referral, file_mode, blocked, age in KNOWN_USERS:
            session.add(
                User(
                    chat_id=chat_id,
                    chat_type=chat_type,
                    language=language,
                    referral=referral,
                    file_mode=file_mode,
                    blocked=blocked,
                    registered_at=now - age,
                    last_seen=now - age,
                )
            )
        for model, deliveries in ((Video, KNOWN_VIDEOS), (Music, KNOWN_SOUNDS)):
            for number, delivery in enumerate(deliveries):
                session.add(delivery_row(model, delivery, now, video_id=f"7{number:018d}"))
        await session.commit()


# Failures told apart in the reliability view: pages not read (extraction) vs content answers vs the rest.
EXTRACTION_FAILURES = [
    Delivery(101, "video", "failed", _minutes(10), error_kind="extraction", duration_ms=700),
    Delivery(102, "video", "failed", _minutes(15), error_kind="extraction", duration_ms=700),
    Delivery(104, "video", "failed", _hours(2), error_kind="private", duration_ms=200),
    Delivery(-1001, "music", "failed", _hours(4), error_kind="rate_limited", duration_ms=900),
    Delivery(102, "video", "failed", _days(4), error_kind="extraction", duration_ms=700),
]


async def seed_extraction_failures(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """EXTRACTION_FAILURES on top of the known rows (ids of their own)."""
    async with sessions() as session:
        for number, delivery in enumerate(EXTRACTION_FAILURES):
            model = Music if delivery.kind == "music" else Video
            session.add(delivery_row(model, delivery, now, video_id=f"8{number:018d}"))
        await session.commit()


def delivery_row(model: type[Video] | type[Music], delivery: Delivery, now: datetime, video_id: str) -> Video | Music:
    probed = {"codec": delivery.codec, "has_audio": delivery.has_audio} if model is Video else {}
    return model(
        **probed,
        source=delivery.source or ("inline" if delivery.is_inline else "chat"),
        chat_id=delivery.chat_id,
        video_id=video_id,
        kind=delivery.kind,
        is_inline=delivery.is_inline,
        outcome=delivery.outcome,
        error_kind=delivery.error_kind,
        bytes=delivery.size,
        duration_ms=delivery.duration_ms,
        created_at=now - delivery.age,
    )


# ---- the real stats bot (stats.py) polling the fake Telegram ----

ROOT = Path(__file__).resolve().parents[2]
STATS_OPERATOR = 7001
STRANGER = 7002
STOP_TIMEOUT = 15.0


@functools.cache
def load_stats_root() -> ModuleType:
    """stats.py itself: `import stats` finds the stats/ package, which shadows the script of the same name."""
    spec = importlib.util.spec_from_file_location("stats_bot_root", ROOT / "stats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


class HandledUpdates:
    """Counts the updates the dispatcher has finished with, answered or not (an outer middleware)."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Condition()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            async with self._changed:
                self.count += 1
                self._changed.notify_all()

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.count >= count)


@dataclass
class RunningStatsBot:
    app: Any
    tg: FakeTelegram
    handled: HandledUpdates
    polling: asyncio.Task[None]

    async def stop(self) -> None:
        if not self.polling.done():
            with suppress(RuntimeError):  # polling had not started yet
                await self.app.dispatcher.stop_polling()
            try:
                await asyncio.wait_for(self.polling, STOP_TIMEOUT)
            except TimeoutError:
                self.polling.cancel()
        await self.app.close()


StartStatsBot = Callable[..., Awaitable[RunningStatsBot]]


@pytest.fixture
async def start_stats_bot(
    fake_telegram: FakeTelegram, db_url: str, db_engine: AsyncEngine
) -> AsyncIterator[StartStatsBot]:
    """Starts stats.py's app from settings: only STATS_BOT_TOKEN (no BOT_TOKEN), the test database."""
    await clear_stats_tables(db_engine)
    root = load_stats_root()
    running: list[RunningStatsBot] = []

    async def start(**env: str) -> RunningStatsBot:
        environ = {
            "STATS_BOT_TOKEN": fake_telegram.token,
            "TG_SERVER": fake_telegram.base_url,
            "DB_URL": db_url,
            "STATS_IDS": f"[{STATS_OPERATOR}]",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        app = await root.build(load_settings(environ=environ, env_file=None))
        handled = HandledUpdates()
        app.dispatcher.update.outer_middleware(handled)
        polling = asyncio.create_task(
            app.dispatcher.start_polling(
                app.bot,
                handle_signals=False,
                polling_timeout=1,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
            )
        )
        bot = RunningStatsBot(app=app, tg=fake_telegram, handled=handled, polling=polling)
        running.append(bot)
        return bot

    yield start
    for bot in reversed(running):
        await bot.stop()


@pytest.fixture
async def stats_bot(start_stats_bot: StartStatsBot) -> RunningStatsBot:
    return await start_stats_bot()
