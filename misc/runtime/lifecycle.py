"""Graceful shutdown: know which updates are still being handled, and wait for them under a deadline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

logger = logging.getLogger("tt-bot.lifecycle")


class InFlightUpdates(BaseMiddleware):
    """Outer update middleware counting updates whose handling has not finished yet."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait until every update in flight is handled; False when the deadline passed first."""
        if self._count:
            logger.info("waiting up to %.0f s for %d update(s) in flight", timeout, self._count)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            logger.warning("shutdown deadline passed with %d update(s) still in flight", self._count)
            return False
        return True
