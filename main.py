"""The download bot: the composition root. Everything is built here and handed to the dispatcher."""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass

from aiogram import Bot, Dispatcher

from data.config import ConfigError, Settings, load_settings
from data.database import create_engine, create_session_factory, upgrade_database
from data.locales import Locales
from data.repositories import Repositories
from handlers import build_root_router
from misc.bot_factory import create_bot
from misc.broadcaster import Broadcaster
from misc.commands import set_command_menu
from misc.logging_setup import configure_logging
from misc.middlewares import ChatContextMiddleware

logger = logging.getLogger("tt-bot")


@dataclass(slots=True)
class DownloadBot:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    resources: AsyncExitStack

    async def close(self) -> None:
        await self.resources.aclose()


async def build(settings: Settings) -> DownloadBot:
    """Create every long-lived object once; `close()` releases them in reverse order."""
    resources = AsyncExitStack()
    try:
        engine = create_engine(settings.db_url)
        resources.push_async_callback(engine.dispose)
        await upgrade_database(engine)
        repos = Repositories.create(create_session_factory(engine))
        locales = Locales.load()

        bot = create_bot(settings.require_bot_token(), settings.telegram)
        resources.push_async_callback(bot.session.close)

        broadcaster = Broadcaster(bot, repos)
        dispatcher = Dispatcher(settings=settings, repos=repos, locales=locales, broadcaster=broadcaster)
        dispatcher.startup.register(broadcaster.start)
        dispatcher.shutdown.register(broadcaster.stop)
        dispatcher.update.outer_middleware(ChatContextMiddleware(repos.users, locales))
        dispatcher.include_router(build_root_router())
        dispatcher.startup.register(set_command_menu)
    except BaseException:
        await resources.aclose()
        raise
    return DownloadBot(settings=settings, bot=bot, dispatcher=dispatcher, resources=resources)


async def serve(app: DownloadBot) -> None:
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.dispatcher.start_polling(app.bot, allowed_updates=app.dispatcher.resolve_used_update_types())


async def run(settings: Settings) -> None:
    app = await build(settings)
    try:
        await serve(app)
    finally:
        await app.close()


def main() -> int:
    try:
        settings = load_settings()
        settings.require_bot_token()
    except ConfigError as error:
        print(f"tt-bot: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.secrets)
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
