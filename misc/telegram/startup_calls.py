"""Start-up waits for Telegram: while a process starts (getMe, deleteWebhook, setMyCommands, setWebhook…),
a Bot API call that fails because Telegram cannot be reached is tried again with capped backoff, one log
line per failed attempt, until the network returns. A production bot whose network is down waits; it does
not exit and get restarted in a loop.

Start-up ends with the first call that receives updates (getUpdates or setWebhook) answered; from then on
every call is left to the usual retry layer and its callers.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

logger = logging.getLogger("tt-bot.startup")

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# Longer than a getUpdates long poll (10 s), short enough that a black-holed network is noticed.
ATTEMPT_TIMEOUT = 60.0
_SERVING_CALLS = frozenset({"getUpdates", "setWebhook"})
# A 502 gateway page or an empty body is Telegram's front end having trouble, not an answer.
_UNREACHABLE = (TelegramNetworkError, TelegramServerError, ClientDecodeError, TimeoutError)


class StartupRetries(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        attempt_timeout: float = ATTEMPT_TIMEOUT,
    ) -> None:
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._attempt_timeout = attempt_timeout
        self.started = False

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if self.started:
            return await make_request(bot, method)
        name = method.__api_method__
        delay, attempt = self._first_delay, 1
        while True:
            try:
                response = await asyncio.wait_for(make_request(bot, method), self._attempt_timeout)
            except TelegramRetryAfter as error:
                wait = max(float(error.retry_after), delay)
                logger.warning(
                    "start-up: %s: Telegram asked to wait %d s (attempt %d)", name, error.retry_after, attempt
                )
            except _UNREACHABLE as error:
                if self.started:  # another call finished start-up meanwhile: usual handling from here
                    raise
                wait = delay
                logger.warning(
                    "start-up: %s failed, Telegram unreachable (%s); attempt %d, next in %.0f s",
                    name,
                    _reason(error),
                    attempt,
                    wait,
                )
            else:
                if attempt > 1:
                    logger.warning("start-up: %s succeeded at attempt %d: Telegram is reachable", name, attempt)
                if name in _SERVING_CALLS:
                    self.started = True
                return response
            await asyncio.sleep(wait)
            delay = min(delay * 2, self._max_delay)
            attempt += 1


def _reason(error: Exception) -> str:
    text = str(getattr(error, "message", "") or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def retry_startup_calls(bot: Bot) -> StartupRetries:
    """Register innermost of the bot's session middlewares, so each failed attempt is logged once here
    and the retry layer above sees only the final answer."""
    middleware = StartupRetries()
    bot.session.middleware(middleware)
    return middleware
