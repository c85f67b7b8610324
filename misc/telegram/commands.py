"""The command menu, set at start-up in every language we speak."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeDefault

from data.locales import Locales

COMMANDS = ("start", "help", "settings", "mode", "lang")


async def set_command_menu(bot: Bot, locales: Locales) -> None:
    for language in locales.languages:
        commands = [
            BotCommand(command=name, description=locales.text(language, f"command_{name}")) for name in COMMANDS
        ]
        code = None if language == locales.default else language
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)
