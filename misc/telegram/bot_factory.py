"""One way to build a `Bot` for every process, honouring TG_SERVER and TG_SERVER_LOCAL.

Retries live in one place, `misc.telegram.limits` (installed by every composition root); this session
only makes sure a failure is raised as the kind of error that layer knows to retry.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import ClientDecodeError, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from data.config import TelegramSettings

# Uploads of up to 2000 MB to a local Bot API server take a while; every call still has a deadline.
REQUEST_TIMEOUT = 300


class BotApiSession(AiohttpSession):
    """Reads Bot API answers as aiogram does, with two differences.

    A 5xx whose body is not a Bot API answer (a gateway's HTML page, an empty body: what Telegram's front
    end sends during incidents) is a `TelegramServerError`, so it is retried like any other 5xx; aiogram
    would raise `ClientDecodeError`, which nothing retries.

    aiogram parses every answer with `Response[<the method's return type>]`, and pydantic keeps such
    parametrised models only weakly: after each garbage collection the model was built again, about 5 ms
    of CPU per API call (a tenth of the bot's CPU under load). Holding every model built keeps them cached;
    there is one per return type, a few dozen at most.
    """

    _models: ClassVar[dict[Any, type[Response[Any]]]] = {}

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._models:
            self._models[returning] = Response[returning]  # type: ignore[valid-type]
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError as error:
            if status_code < HTTPStatus.INTERNAL_SERVER_ERROR:
                raise
            raise TelegramServerError(method=method, message=f"HTTP {status_code} without a Bot API answer") from error


def create_bot(token: str, telegram: TelegramSettings) -> Bot:
    server = TelegramAPIServer.from_base(telegram.server, is_local=telegram.server_is_local)
    session = BotApiSession(api=server, timeout=REQUEST_TIMEOUT)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
