"""The last line of defence: an update whose handling failed unexpectedly is logged with its traceback,
and a private chat is told in its language instead of hearing nothing."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import ErrorEvent

from data.locales import Locales

logger = logging.getLogger("tt-bot.errors")


async def report_unexpected_error(event: ErrorEvent, locales: Locales, lang: str | None = None) -> bool:
    update = event.update
    logger.error("update %s failed", update.update_id, exc_info=event.exception)
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return True
    language = lang or locales.pick(message.from_user.language_code if message.from_user else None)
    try:
        await message.answer(locales.text(language, "error_unknown"))
    except Exception:  # the apology itself may fail for the same reason; the log has the cause
        logger.warning("could not tell chat %s about the failure", message.chat.id)
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.error.register(report_unexpected_error)
    return router
