"""The door of buttons under the bot's own messages (the sound, a slideshow's video): anyone in the chat
may press them; the pressed button is hidden while the work runs and the keyboard is put back afterwards,
so a failure can be retried and a later press works too. Cached file ids answer repeats without TikTok.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from misc.delivery.chat_reply import ButtonReply
from misc.delivery.failures import FailureReporter
from misc.delivery.media_kinds import Media
from misc.delivery.pipeline import DeliveryPipeline, Order
from misc.delivery.services import DeliveryServices
from misc.telegram.reactions import StatusReactions

logger = logging.getLogger("tt-bot.button")


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """`message_id` is the bot's message that carries the button; `keyboard` is its keyboard when pressed."""

    chat_id: int
    chat_type: str
    message_id: int
    post_id: str
    lang: str
    pressed: str = ""  # the pressed button's callback data
    keyboard: InlineKeyboardMarkup | None = None
    presser_id: int | None = None  # in groups, who is told privately why the press failed


def without_button(keyboard: InlineKeyboardMarkup | None, pressed: str) -> InlineKeyboardMarkup | None:
    """The keyboard with the pressed button taken out (None when nothing is left)."""
    if keyboard is None:
        return None
    rows = [[button for button in row if button.callback_data != pressed] for row in keyboard.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class ButtonPressDelivery:
    """Delivers `media` of the pressed post as a reply to the button's message."""

    def __init__(
        self, services: DeliveryServices, pipeline: DeliveryPipeline, failures: FailureReporter, media: Media[Any, Any]
    ) -> None:
        self._services = services
        self._pipeline = pipeline
        self._failures = failures
        self._media = media

    async def deliver(self, press: ButtonPress, on_admitted: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Raises `QueueFullError` at once when the chat has too many jobs in progress."""
        status = StatusReactions(self._services.bot, press.chat_id, press.message_id)
        destination = ButtonReply(
            self._services, self._failures, press.chat_id, press.chat_type, press.message_id, press.lang, status,
            requester_user_id=press.presser_id,
        )  # fmt: skip
        order = Order(requester_id=press.chat_id, lang=press.lang, media=self._media, post_id=press.post_id)
        hidden = False

        async def admitted() -> None:
            nonlocal hidden
            if on_admitted is not None:
                await on_admitted()
            await self._set_keyboard(press, without_button(press.keyboard, press.pressed))
            hidden = True

        try:
            await self._pipeline.deliver(order, destination, admitted)
        finally:
            if hidden:
                await self._set_keyboard(press, press.keyboard)

    async def _set_keyboard(self, press: ButtonPress, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await self._services.bot.edit_message_reply_markup(
                chat_id=press.chat_id, message_id=press.message_id, reply_markup=markup
            )
        except TelegramAPIError as error:  # e.g. the message was deleted meanwhile
            logger.debug("keyboard of message %s not updated: %s", press.message_id, error)
