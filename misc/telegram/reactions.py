"""Status of a link shown as a reaction on the user's message: 👀 accepted, 👨‍💻 sending, cleared or 😢.

Where reactions are not allowed (a group that disabled them), a short ⏳ reply stands in and is deleted
when the work ends. A status that cannot be shown never stops a delivery.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ReactionTypeEmoji, ReplyParameters

logger = logging.getLogger("tt-bot.reactions")

ACCEPTED = "👀"
SENDING = "👨‍💻"
FAILED = "😢"
WAITING_TEXT = "⏳"

# The message is gone (the user deleted it): neither a reaction nor a stand-in reply is useful then.
_MESSAGE_GONE = ("not found", "message_id_invalid")


class StatusDisplay(Protocol):
    """How a delivery's progress shows on the user's message."""

    def accepted(self) -> None: ...

    def sending(self) -> None: ...

    async def succeeded(self) -> None: ...

    async def failed(self) -> None: ...


class StatusReactions:
    """Status changes go out in order, one after another; `accepted` and `sending` do not wait for
    Telegram (the delivery goes on meanwhile), `succeeded` and `failed` return once all is shown."""

    def __init__(self, bot: Bot, chat_id: int, message_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._message_id = message_id
        self._stand_in_id: int | None = None
        self._reactions_work = True
        self._last_step: asyncio.Task[None] | None = None

    def accepted(self) -> None:
        self._after_previous(self._show(ACCEPTED))

    def sending(self) -> None:
        self._after_previous(self._show(SENDING))

    async def succeeded(self) -> None:
        await self._after_previous(self._finish(None))

    async def failed(self) -> None:
        await self._after_previous(self._finish(FAILED))

    def _after_previous(self, step: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        previous = self._last_step

        async def in_order() -> None:
            if previous is not None:
                await asyncio.wait([previous])  # an unexpected failure there is its own task's to report
            await step

        self._last_step = asyncio.create_task(in_order())
        return self._last_step

    async def _finish(self, emoji: str | None) -> None:
        if self._stand_in_id is not None:
            await self._delete_stand_in()
            return
        await self._show(emoji)

    async def _show(self, emoji: str | None) -> None:
        if not self._reactions_work:
            return
        reaction = [ReactionTypeEmoji(emoji=emoji)] if emoji else []
        try:
            await self._bot.set_message_reaction(self._chat_id, self._message_id, reaction=reaction)
        except TelegramBadRequest as error:
            self._reactions_work = False
            if emoji is not None and not _is_message_gone(error):
                await self._send_stand_in()
        except TelegramAPIError as error:
            logger.debug("reaction %s not shown in chat %s: %s", emoji, self._chat_id, error)

    async def _send_stand_in(self) -> None:
        try:
            reply = ReplyParameters(message_id=self._message_id, allow_sending_without_reply=True)
            message = await self._bot.send_message(self._chat_id, WAITING_TEXT, reply_parameters=reply)
        except TelegramAPIError as error:
            logger.debug("no ⏳ stand-in in chat %s: %s", self._chat_id, error)
            return
        self._stand_in_id = message.message_id

    async def _delete_stand_in(self) -> None:
        stand_in, self._stand_in_id = self._stand_in_id, None
        if stand_in is None:
            return
        try:
            await self._bot.delete_message(self._chat_id, stand_in)
        except TelegramAPIError as error:
            logger.debug("⏳ stand-in not deleted in chat %s: %s", self._chat_id, error)


def _is_message_gone(error: TelegramBadRequest) -> bool:
    description = error.message.lower()
    return any(marker in description for marker in _MESSAGE_GONE)


class SharedStatus:
    """One message, several links: 👀 when the first is taken, 👨‍💻 while any is sending, and at the end
    cleared when every link went out, 😢 when any failed. `links` counts the links that will report."""

    def __init__(self, status: StatusReactions, links: int) -> None:
        self._status = status
        self._open = links
        self._any_failed = False
        self._shown: set[str] = set()

    def accepted(self) -> None:
        self._once(ACCEPTED, self._status.accepted)

    def sending(self) -> None:
        self._once(SENDING, self._status.sending)

    async def succeeded(self) -> None:
        await self._close()

    async def failed(self) -> None:
        self._any_failed = True
        await self._close()

    async def dropped(self) -> None:
        """A link that never ran (the chat stayed full; the user was told so)."""
        await self._close()

    def _once(self, emoji: str, show: Callable[[], None]) -> None:
        if emoji not in self._shown:
            self._shown.add(emoji)
            show()

    async def _close(self) -> None:
        self._open -= 1
        if self._open > 0 or not (self._shown or self._any_failed):
            return
        await (self._status.failed() if self._any_failed else self._status.succeeded())
