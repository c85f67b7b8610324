"""Hints for everything else in private chats (text without a TikTok link, uploads, stickers, voice…).

Included last, after every feature router. Groups stay silent: the router only sees private chats.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from data.locales import Locales
from misc.telegram.media_sender import MediaSender


async def not_a_link(message: Message, sender: MediaSender, locales: Locales, lang: str) -> None:
    await sender.send_text(message.chat.id, locales.text(lang, "not_a_link"), reply_to_message=message.message_id)


async def unsupported_content(message: Message, sender: MediaSender, locales: Locales, lang: str) -> None:
    await sender.send_text(
        message.chat.id, locales.text(lang, "unsupported_content"), reply_to_message=message.message_id
    )


def create_router() -> Router:
    router = Router(name="unsupported")
    # A message sent through inline mode (`via_bot`) is the bot's own result, not something to hint about.
    router.message.filter(F.chat.type == ChatType.PRIVATE, F.via_bot.is_(None))
    router.message.register(not_a_link, F.text)
    router.message.register(unsupported_content)
    return router
