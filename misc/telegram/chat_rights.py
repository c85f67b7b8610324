"""Who may change a chat's settings: anyone in a private chat, only admins in a group.

An anonymous admin writes as the group itself (`sender_chat` is the chat); that counts as an admin.
A member who is refused is told so privately; the group sees nothing.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, Message, User

from misc.telegram.media_sender import MediaSender

logger = logging.getLogger("tt-bot.rights")

ADMIN_STATUSES = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})


async def may_change_settings(bot: Bot, chat: Chat, user: User | None, sender_chat: Chat | None = None) -> bool:
    if chat.type == ChatType.PRIVATE:
        return True
    if sender_chat is not None and sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    try:
        member = await bot.get_chat_member(chat.id, user.id)
    except TelegramAPIError as error:
        logger.info("admin check failed in chat %s: %s", chat.id, error)
        return False
    return member.status in ADMIN_STATUSES


def person_behind(message: Message) -> User | None:
    """The member who wrote `message`; None when a chat wrote it (an anonymous admin, a linked channel), since
    Telegram's stand-in accounts for them can receive nothing."""
    user = message.from_user
    if user is None or user.is_bot or message.sender_chat is not None:
        return None
    return user


async def refuse_privately(sender: MediaSender, message: Message, text: str) -> None:
    """The refusal as a note only the member who asked sees; where Telegram refuses that, nothing."""
    person = person_behind(message)
    if person is None:
        return
    await sender.send_private_note(message.chat.id, person.id, text, reply_to_message=message.message_id)
