"""Run instead of the main bot during outages (same token): every private message and inline query
gets the localized "under maintenance" text. Needs no database."""

from __future__ import annotations

import sys

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import InlineQuery, InlineQueryResultArticle, InputTextMessageContent, Message

from data.config import Settings
from data.locales import Locales
from misc.runtime.entrypoint import run_process
from misc.runtime.healthcheck import Heartbeat
from misc.telegram.bot_factory import create_bot
from misc.telegram.limits import OutgoingRateLimiter, install_telegram_limits

# Telegram caches inline answers per query; a short cache keeps the notice fresh once the bot is back.
INLINE_CACHE_SECONDS = 30


async def answer_private_message(message: Message, locales: Locales) -> None:
    language = locales.pick(message.from_user.language_code if message.from_user else None)
    await message.answer(locales.text(language, "maintenance"))


async def answer_inline_query(query: InlineQuery, locales: Locales) -> None:
    text = locales.text(locales.pick(query.from_user.language_code), "maintenance")
    result = InlineQueryResultArticle(
        id="maintenance",
        title=text,
        input_message_content=InputTextMessageContent(message_text=text),
    )
    await query.answer([result], cache_time=INLINE_CACHE_SECONDS, is_personal=True)


def build_router() -> Router:
    router = Router(name="maintenance")
    router.message.register(answer_private_message, F.chat.type == "private")
    router.inline_query.register(answer_inline_query)
    return router


def build(settings: Settings) -> tuple[Bot, Dispatcher]:
    bot = create_bot(settings.require_bot_token(), settings.telegram)
    install_telegram_limits(bot, OutgoingRateLimiter())
    dispatcher = Dispatcher(locales=Locales.load())
    dispatcher.include_router(build_router())
    heartbeat = Heartbeat("maintenance")
    dispatcher.startup.register(heartbeat.start)
    dispatcher.shutdown.register(heartbeat.stop)
    return bot, dispatcher


async def run(settings: Settings) -> None:
    bot, dispatcher = build(settings)
    try:
        # The main bot may have left a webhook behind; polling would get 409 Conflict while it exists.
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
    finally:
        await bot.session.close()


def main() -> int:
    return run_process("maintenance-bot", Settings.require_bot_token, run)


if __name__ == "__main__":
    sys.exit(main())
