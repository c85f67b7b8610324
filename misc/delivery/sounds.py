"""The sound button's door into the pipeline: the sound of a post, for anyone in the chat who presses it.

The button is hidden while the work runs and always put back afterwards, so a failure can be retried
and a later press works too. Cached file ids answer repeats without TikTok.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from misc.delivery.chat_reply import SoundReply
from misc.delivery.failures import FailureReporter
from misc.delivery.media_kinds import SoundMedia
from misc.delivery.pipeline import DeliveryPipeline, Order
from misc.delivery.services import DeliveryServices
from misc.telegram.keyboards import music_keyboard
from misc.telegram.reactions import StatusReactions

logger = logging.getLogger("tt-bot.sound")


@dataclass(frozen=True, slots=True)
class SoundRequest:
    """`message_id` is the bot's message that carries the sound button."""

    chat_id: int
    chat_type: str
    message_id: int
    video_id: str
    lang: str


class SoundDelivery:
    def __init__(self, services: DeliveryServices, pipeline: DeliveryPipeline, failures: FailureReporter) -> None:
        self._services = services
        self._pipeline = pipeline
        self._failures = failures
        self._sounds = SoundMedia(services.sender)

    async def deliver(self, request: SoundRequest, on_admitted: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Raises `QueueFullError` at once when the chat has too many jobs in progress."""
        status = StatusReactions(self._services.bot, request.chat_id, request.message_id)
        destination = SoundReply(
            self._services, self._failures, request.chat_id, request.chat_type, request.message_id, request.lang, status
        )
        order = Order(requester_id=request.chat_id, lang=request.lang, media=self._sounds, post_id=request.video_id)

        hidden = False

        async def admitted() -> None:
            nonlocal hidden
            if on_admitted is not None:
                await on_admitted()
            await self._set_button(request, None)
            hidden = True

        try:
            await self._pipeline.deliver(order, destination, admitted)
        finally:
            if hidden:
                await self._set_button(request, music_keyboard(self._services.locales, request.lang, request.video_id))

    async def _set_button(self, request: SoundRequest, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await self._services.bot.edit_message_reply_markup(
                chat_id=request.chat_id, message_id=request.message_id, reply_markup=markup
            )
        except TelegramAPIError as error:  # e.g. the message was deleted meanwhile
            logger.debug("sound button of message %s not updated: %s", request.message_id, error)
