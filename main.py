"""The download bot: the composition root. Everything is built here and handed to the dispatcher."""

from __future__ import annotations

import sys

from data.config import Settings
from misc.runtime.preflight import preflight

# First: the imports below take seconds; a signal during them, or a configuration error, must not wait.
if __name__ == "__main__":
    preflight("tt-bot", Settings.require_bot_token)

import asyncio
import logging
from contextlib import AsyncExitStack

from aiogram import Dispatcher

from data.database import create_engine, create_session_factory, upgrade_database
from data.locales import Locales
from data.repositories import Repositories
from handlers import build_root_router
from misc.delivery.extraction_alerts import ExtractionAlerts
from misc.delivery.failures import FailureReporter
from misc.delivery.guest import GuestDelivery
from misc.delivery.inline import InlineDelivery
from misc.delivery.links import LinkDelivery
from misc.delivery.pipeline import DeliveryPipeline
from misc.delivery.services import DeliveryServices
from misc.delivery.slideshow_videos import SlideshowVideoDelivery
from misc.delivery.sounds import SoundDelivery
from misc.delivery.user_errors import ErrorTexts
from misc.runtime.entrypoint import BotApp, poll, run_process
from misc.runtime.healthcheck import Heartbeat
from misc.runtime.lifecycle import InFlightUpdates
from misc.runtime.process_limits import process_limits
from misc.runtime.queue_manager import JobQueue
from misc.runtime.termination import Termination
from misc.runtime.webhook import serve_webhook
from misc.telegram.bot_factory import create_bot
from misc.telegram.broadcaster import Broadcaster
from misc.telegram.chat_context import ChatContextMiddleware
from misc.telegram.commands import set_command_menu
from misc.telegram.limits import install_telegram_limits
from misc.telegram.media_sender import MediaSender
from misc.telegram.startup_calls import retry_startup_calls
from misc.telegram.thumbnails import Thumbnailer
from tiktok_api.client import TikTokClient
from tiktok_api.health import ExtractionWatch

logger = logging.getLogger("tt-bot")


async def build(settings: Settings) -> BotApp:
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
        limits = await resources.enter_async_context(process_limits(settings, bot.id))
        limiter, queue = limits.limiter, limits.queue
        install_telegram_limits(bot, limiter)
        retry_startup_calls(bot)

        tiktok = await resources.enter_async_context(TikTokClient(settings.tiktok))
        thumbnailer = await resources.enter_async_context(Thumbnailer())
        sender = MediaSender(bot, thumbnailer)
        errors = ErrorTexts(locales, settings.telegram.upload_limit, settings.tiktok.max_video_duration)
        failures = FailureReporter(sender, repos.users, errors)
        services = DeliveryServices(
            bot=bot,
            tiktok=tiktok,
            queue=queue,
            repos=repos,
            sender=sender,
            locales=locales,
            configured_bot_tag=settings.telegram.bot_tag,
        )
        extraction = ExtractionAlerts(
            ExtractionWatch(settings.extraction_alert),
            settings.extraction_alert.window,
            settings.admin_ids,
            sender,
            repos.users,
            locales,
        )
        pipeline = DeliveryPipeline(services, extraction)
        delivery = LinkDelivery(services, pipeline, failures)
        sounds = SoundDelivery(services, pipeline, failures)
        slideshow_videos = SlideshowVideoDelivery(services, pipeline, failures)
        inline = InlineDelivery(services, pipeline, errors=errors, storage_chat_id=settings.storage_channel_id)
        guest = GuestDelivery(bot, inline, locales)

        broadcaster = Broadcaster(bot, repos, downloads_busy=lambda: queue.active() > 0)
        in_flight = InFlightUpdates()
        heartbeat = Heartbeat("bot", bot.id)
        resources.push_async_callback(heartbeat.stop)  # also when start-up is cancelled before shutdown handlers
        dispatcher = Dispatcher(
            settings=settings,
            repos=repos,
            locales=locales,
            broadcaster=broadcaster,
            queue=queue,
            sender=sender,
            delivery=delivery,
            sounds=sounds,
            slideshow_videos=slideshow_videos,
            inline=inline,
            guest=guest,
            in_flight=in_flight,
        )
        dispatcher.startup.register(broadcaster.start)
        dispatcher.startup.register(heartbeat.start)
        dispatcher.shutdown.register(finish_running_work)
        dispatcher.shutdown.register(broadcaster.stop)
        dispatcher.shutdown.register(heartbeat.stop)
        if limits.update_claims is not None:
            dispatcher.update.outer_middleware(limits.update_claims)
        dispatcher.update.outer_middleware(in_flight)
        dispatcher.update.outer_middleware(ChatContextMiddleware(repos.users, locales))
        dispatcher.include_router(build_root_router())
        dispatcher.startup.register(set_command_menu)
    except BaseException:
        await resources.aclose()
        raise
    return BotApp(settings=settings, bot=bot, dispatcher=dispatcher, resources=resources)


async def finish_running_work(in_flight: InFlightUpdates, queue: JobQueue, settings: Settings) -> None:
    """Once no new update is taken, running deliveries get SHUTDOWN_TIMEOUT seconds before anything closes."""
    deadline = asyncio.get_running_loop().time() + settings.shutdown_timeout
    if await in_flight.drain(settings.shutdown_timeout):
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            await asyncio.wait_for(queue.wait_idle(), remaining)
        except TimeoutError:
            logger.warning("shutdown: %s job(s) still running at the deadline", queue.active())


async def serve(app: BotApp, termination: Termination) -> None:
    """Long polling, or the webhook server when WEBHOOK_URL is set; both stop on SIGTERM/SIGINT."""
    if app.settings.webhook.enabled:
        stop = asyncio.Event()
        await serve_webhook(
            app.bot, app.dispatcher, app.settings.webhook, stop, serving=lambda: termination.serving(stop.set)
        )
        return
    await poll(app.bot, app.dispatcher, termination, close_bot_session=False)


async def run(settings: Settings, termination: Termination) -> None:
    app = await build(settings)
    try:
        await serve(app, termination)
    finally:
        await app.close()


def main() -> int:
    return run_process("tt-bot", Settings.require_bot_token, run)


if __name__ == "__main__":
    sys.exit(main())
