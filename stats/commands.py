"""The command menu, shown to operators only (one scope per STATS_IDS chat)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from data.config import Settings

logger = logging.getLogger("tt-bot.stats")
COMMANDS = [
    BotCommand(command="stats", description="Quick stats and the menu"),
    BotCommand(command="user", description="Find a chat by id: /user 123456789"),
]


async def set_operator_commands(bot: Bot, settings: Settings) -> None:
    for operator in sorted(settings.stats_ids):
        try:
            await bot.set_my_commands(COMMANDS, scope=BotCommandScopeChat(chat_id=operator))
        except TelegramAPIError as error:
            # An operator who never opened the bot has no chat yet; the commands still work when typed.
            logger.warning("cannot set the stats commands for %s: %s", operator, error.message)
