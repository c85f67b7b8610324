"""Cross-cutting work for every update: who is talking and in which language to answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import SQLAlchemyError

from data.locales import Locales
from data.repositories.users import ChatProfile, UserRepository

logger = logging.getLogger("tt-bot.middlewares")


def _chat_and_user_language(update: Update) -> tuple[int | None, str | None]:
    """The chat whose settings apply to this update, and the sender's Telegram language."""
    if update.message:
        user = update.message.from_user
        return update.message.chat.id, user.language_code if user else None
    if update.callback_query:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return chat_id, query.from_user.language_code
    if update.inline_query:
        return update.inline_query.from_user.id, update.inline_query.from_user.language_code
    if update.chosen_inline_result:
        user = update.chosen_inline_result.from_user
        return user.id, user.language_code
    if update.guest_message:  # a mention in a chat the bot is not in: the caller's own settings apply
        guest = update.guest_message
        caller = guest.from_user or guest.guest_bot_caller_user
        return (caller.id, caller.language_code) if caller else (None, None)
    return None, None


class ChatContextMiddleware(BaseMiddleware):
    """Injects `profile` (the stored chat, or None) and `lang` (the language to answer in)."""

    def __init__(self, users: UserRepository, locales: Locales) -> None:
        self._users = users
        self._locales = locales

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat_id, telegram_language = _chat_and_user_language(event) if isinstance(event, Update) else (None, None)
        profile = await self._stored_profile(chat_id) if chat_id is not None else None
        data["profile"] = profile
        data["lang"] = self._locales.pick(profile.language if profile else None, telegram_language)
        return await handler(event, data)

    async def _stored_profile(self, chat_id: int) -> ChatProfile | None:
        """The chat's stored settings; with the database away the bot still answers, in Telegram's language."""
        try:
            return await self._users.get(chat_id)
        except (SQLAlchemyError, OSError):
            logger.warning("database unavailable while loading chat %s; using defaults", chat_id, exc_info=True)
            return None
