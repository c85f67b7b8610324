"""One way to build a `Bot` for every process, honouring TG_SERVER and TG_SERVER_LOCAL."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from data.config import TelegramSettings

# Uploads of up to 2000 MB to a local Bot API server take a while; every call still has a deadline.
REQUEST_TIMEOUT = 300


def create_bot(token: str, telegram: TelegramSettings) -> Bot:
    server = TelegramAPIServer.from_base(telegram.server, is_local=telegram.server_is_local)
    session = AiohttpSession(api=server, timeout=REQUEST_TIMEOUT)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
