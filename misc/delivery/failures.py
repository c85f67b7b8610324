"""One place where a failed delivery reaches the user: a localized message in private chats; in groups 😢
and the same text as a private note that only the sender sees (where Telegram refuses it, 😢 alone).

A chat whose user blocked the bot (403) is marked blocked and told nothing more.
"""

from __future__ import annotations

import logging

from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from data.kinds import ErrorKind
from data.repositories.users import UserRepository
from misc.delivery.best_effort import best_effort
from misc.delivery.user_errors import ErrorTexts
from misc.telegram.media_sender import MediaSender
from misc.telegram.reactions import StatusDisplay

logger = logging.getLogger("tt-bot.delivery")


class FailureReporter:
    def __init__(self, sender: MediaSender, users: UserRepository, texts: ErrorTexts) -> None:
        self._sender = sender
        self._users = users
        self._texts = texts

    async def report(
        self,
        *,
        chat_id: int,
        chat_type: str,
        lang: str,
        kind: ErrorKind,
        status: StatusDisplay,
        reply_to_message: int | None,
        receiver_user_id: int | None = None,
    ) -> None:
        if kind == ErrorKind.BLOCKED:
            await self.mark_blocked(chat_id)
            return
        await status.failed()
        if chat_type != ChatType.PRIVATE:
            if receiver_user_id is not None:
                text = self._texts.text(lang, kind)
                await self._sender.send_private_note(chat_id, receiver_user_id, text, reply_to_message=reply_to_message)
            return
        try:
            await self._sender.send_text(chat_id, self._texts.text(lang, kind), reply_to_message=reply_to_message)
        except TelegramForbiddenError:
            await self.mark_blocked(chat_id)
        except TelegramAPIError as error:
            logger.warning("error message not delivered to chat %s: %s", chat_id, error)

    async def mark_blocked(self, chat_id: int) -> None:
        logger.info("chat %s blocked the bot", chat_id)
        await best_effort(self._users.mark_blocked(chat_id), None, "marking a blocked chat")
