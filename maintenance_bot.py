"""Run instead of the main bot during outages (same token): every private message and inline query
gets the localized "under maintenance" text. Needs no database."""

from __future__ import annotations

import sys

from data.config import Settings
from misc.runtime.preflight import preflight

# First: the imports below take seconds; a signal during them, or a configuration error, must not wait.
if __name__ == "__main__":
    preflight("maintenance-bot", Settings.require_bot_token)


from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import CallbackQuery, InlineQuery, InlineQueryResultArticle, InputTextMessageContent, Message

from data.locales import Locales
from misc.runtime.entrypoint import poll, run_process
from misc.runtime.healthcheck import Heartbeat
from misc.runtime.termination import Termination
from misc.telegram.bot_factory import create_bot
from misc.telegram.limits import OutgoingRateLimiter, install_telegram_limits
from misc.telegram.startup_calls import retry_startup_calls

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


async def answer_button(query: CallbackQuery, locales: Locales) -> None:
    """A button on an earlier message of the main bot: answered, or the client spins for ~15 s."""
    await query.answer(locales.text(locales.pick(query.from_user.language_code), "maintenance"))


def build_router() -> Router:
    router = Router(name="maintenance")
    router.message.register(answer_private_message, F.chat.type == "private")
    router.inline_query.register(answer_inline_query)
    router.callback_query.register(answer_button)
    return router


def build(settings: Settings) -> tuple[Bot, Dispatcher]:
    bot = create_bot(settings.require_bot_token(), settings.telegram)
    install_telegram_limits(bot, OutgoingRateLimiter())
    retry_startup_calls(bot)
    dispatcher = Dispatcher(locales=Locales.load())
    dispatcher.include_router(build_router())
    heartbeat = Heartbeat("maintenance", bot.id)
    dispatcher.startup.register(heartbeat.start)
    dispatcher.shutdown.register(heartbeat.stop)
    return bot, dispatcher


async def run(settings: Settings, termination: Termination) -> None:
    bot, dispatcher = build(settings)
    try:
        await poll(bot, dispatcher, termination)
    finally:
        await bot.session.close()


def main() -> int:
    return run_process("maintenance-bot", Settings.require_bot_token, run)


if __name__ == "__main__":
    sys.exit(main())
