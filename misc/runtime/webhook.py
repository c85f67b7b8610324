"""Webhook mode: an aiohttp server that answers Telegram at once and handles updates in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from data.config import WebhookSettings

logger = logging.getLogger("tt-bot.webhook")


def build_webhook_app(bot: Bot, dispatcher: Dispatcher, webhook: WebhookSettings) -> web.Application:
    app = web.Application()
    # handle_in_background: Telegram gets 200 at once; a download that takes seconds never times out
    # its webhook call (Telegram would redeliver it). A wrong X-Telegram-Bot-Api-Secret-Token gets 401.
    handler = SimpleRequestHandler(dispatcher, bot, secret_token=webhook.secret, handle_in_background=True)
    # Only the route: `handler.register` would also close the bot session when the server stops, under the
    # feet of uploads that are still draining. The composition root closes the session last.
    app.router.add_post(webhook.path, handler.handle)
    return app


async def set_webhook(bot: Bot, dispatcher: Dispatcher, webhook: WebhookSettings) -> None:
    assert webhook.url is not None
    url = webhook.url.rstrip("/") + webhook.path if not webhook.url.endswith(webhook.path) else webhook.url
    await bot.set_webhook(
        url,
        secret_token=webhook.secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )


async def serve_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    webhook: WebhookSettings,
    stop: asyncio.Event,
    serving: Callable[[], object] = lambda: None,
) -> None:
    """Serve until `stop` is set; then stop accepting connections and shut down (the dispatcher's
    shutdown handlers let running work finish before the caller closes the bot session). `serving` is
    called once Telegram knows the webhook."""
    app = build_webhook_app(bot, dispatcher, webhook)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, webhook.host, webhook.port)
    await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher, bots=[bot], **dispatcher.workflow_data)
    try:
        await site.start()
        await set_webhook(bot, dispatcher, webhook)
        logger.info("webhook server listening on %s:%d%s", webhook.host, webhook.port, webhook.path)
        serving()
        await stop.wait()
    finally:
        await site.stop()
        await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher, bots=[bot], **dispatcher.workflow_data)
        await runner.cleanup()
