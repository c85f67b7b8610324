"""The stats bot for operators: the composition root. Its own token (STATS_BOT_TOKEN), the main bot's
database, and nothing of the main bot's handlers."""

from __future__ import annotations

import sys

from data.config import Settings
from misc.runtime.preflight import preflight

# First: the imports below take seconds; a signal during them, or a configuration error, must not wait.
if __name__ == "__main__":
    preflight("stats-bot", None if "--rebuild-rollups" in sys.argv else Settings.require_stats_bot_token)

import argparse
import asyncio
import logging
from contextlib import AsyncExitStack

from aiogram import Dispatcher

from data.database import create_engine, create_session_factory, upgrade_database
from data.repositories.stats import StatsRepository
from misc.runtime.entrypoint import BotApp, poll, run_process
from misc.runtime.healthcheck import Heartbeat
from misc.runtime.heap import settle_imported_heap
from misc.runtime.preflight import checked_settings
from misc.runtime.termination import Termination
from misc.telegram.bot_factory import create_bot
from misc.telegram.limits import install_telegram_limits
from misc.telegram.startup_calls import retry_startup_calls
from stats import build_stats_router
from stats.commands import set_operator_commands
from stats.graphs import GraphRenderer
from stats.scheduler import StatsScheduler

logger = logging.getLogger("tt-bot.stats")
# Answers are serialized by the repository; a small pool is plenty for them and the scheduler.
DB_POOL_SIZE = 3


async def build(settings: Settings) -> BotApp:
    """Create every long-lived object once; `close()` releases them in reverse order."""
    resources = AsyncExitStack()
    try:
        engine = create_engine(settings.db_url, pool_size=DB_POOL_SIZE)
        resources.push_async_callback(engine.dispose)
        await upgrade_database(engine)
        stats = StatsRepository(create_session_factory(engine))
        graphs = GraphRenderer()
        resources.callback(graphs.close)

        bot = create_bot(settings.require_stats_bot_token(), settings.telegram)
        resources.push_async_callback(bot.session.close)
        # Retries only: the bot writes to a few operators, as often as STATS_*_INTERVAL asks.
        install_telegram_limits(bot, None)
        retry_startup_calls(bot)
        heartbeat = Heartbeat("stats", bot.id)
        resources.push_async_callback(heartbeat.stop)  # also when start-up is cancelled before shutdown handlers

        scheduler = StatsScheduler(bot, stats, settings)
        dispatcher = Dispatcher(settings=settings, stats=stats, graphs=graphs, scheduler=scheduler)
        dispatcher.startup.register(heartbeat.start)
        dispatcher.startup.register(scheduler.start)
        dispatcher.startup.register(set_operator_commands)
        dispatcher.shutdown.register(scheduler.stop)
        dispatcher.shutdown.register(heartbeat.stop)
        dispatcher.include_router(build_stats_router())
    except BaseException:
        await resources.aclose()
        raise
    return BotApp(settings=settings, bot=bot, dispatcher=dispatcher, resources=resources)


async def run(settings: Settings, termination: Termination) -> None:
    if not settings.stats_ids:
        logger.warning("STATS_IDS is empty: the stats bot will answer nobody")
    app = await build(settings)
    try:
        await poll(app.bot, app.dispatcher, termination)
    finally:
        await app.close()


async def rebuild_rollups(settings: Settings) -> None:
    """Count every closed day again; needs only the database (no token)."""
    engine = create_engine(settings.db_url, pool_size=1)
    try:
        await upgrade_database(engine)
        horizon = await StatsRepository(create_session_factory(engine)).rebuild_rollups()
        logger.warning("stats rollups rebuilt up to %s", horizon.isoformat())
    finally:
        await engine.dispose()


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="tt-bot stats bot for operators (STATS_BOT_TOKEN, STATS_IDS)")
    parser.add_argument(
        "--rebuild-rollups",
        action="store_true",
        help="count every closed day again and exit (after old rows were imported into the database)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if not arguments.rebuild_rollups:
        return run_process("stats-bot", Settings.require_stats_bot_token, run)
    # Rebuilding the rollups is database work only: it needs no token.
    settings = checked_settings("stats-bot", None)
    if settings is None:
        return 2
    settle_imported_heap()
    asyncio.run(rebuild_rollups(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
