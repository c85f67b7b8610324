"""Showing a section in place of the message whose button was pressed."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

# Telegram refuses an edit that changes nothing with 400 "message is not modified"; for a refresh
# button or a scheduled update that simply means the numbers did not change.
NOT_MODIFIED = "message is not modified"
MESSAGE_GONE = ("message to edit not found", "message can't be edited")


def is_not_modified(error: TelegramBadRequest) -> bool:
    return NOT_MODIFIED in error.message


def is_gone(error: TelegramBadRequest) -> bool:
    return any(reason in error.message for reason in MESSAGE_GONE)


async def edit_text(bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except TelegramBadRequest as error:
        if not is_not_modified(error):
            raise


async def show(callback: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup) -> None:
    """Replace the pressed message with `text`; a message too old to edit gets a new one instead."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await edit_text(bot, message.chat.id, message.message_id, text, markup)
            return
        except TelegramBadRequest as error:
            if not is_gone(error):
                raise
    await bot.send_message(callback.from_user.id, text, reply_markup=markup)
