"""/start and /help: registration (with the deep-link referral) and the welcome text."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from data.locales import Locales
from data.repositories import Repositories
from misc.telegram.settings_menu import settings_open_keyboard

MAX_REFERRAL_LENGTH = 64


async def start(message: Message, command: CommandObject, repos: Repositories, locales: Locales, lang: str) -> None:
    referral = (command.args or "").strip()[:MAX_REFERRAL_LENGTH] or None
    await repos.users.register(
        message.chat.id, message.chat.type, _telegram_language(message, locales), referral=referral
    )
    await message.answer(locales.text(lang, "start_welcome"), reply_markup=settings_open_keyboard(locales, lang))


async def help_text(message: Message, bot: Bot, locales: Locales, lang: str) -> None:
    me = await bot.me()
    await message.answer(locales.text(lang, "help", bot_username=me.username or ""))


def _telegram_language(message: Message, locales: Locales) -> str:
    user = message.from_user
    return locales.pick(user.language_code if user else None)


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_text, Command("help"))
    return router
