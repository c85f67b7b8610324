"""/mode (videos as files or as videos) and /lang (buttons `lang:<code>`); group admins only in groups.

A member who is not an admin is told so privately: a note only they see, or the button's alert."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from data.locales import Locales
from data.repositories import Repositories
from data.repositories.users import ChatProfile
from misc.telegram.chat_rights import may_change_settings, refuse_privately
from misc.telegram.keyboards import LanguageChoice, language_keyboard
from misc.telegram.media_sender import MediaSender


async def toggle_file_mode(
    message: Message,
    bot: Bot,
    repos: Repositories,
    locales: Locales,
    lang: str,
    profile: ChatProfile | None,
    sender: MediaSender,
) -> None:
    if not await may_change_settings(bot, message.chat, message.from_user, message.sender_chat):
        await refuse_privately(sender, message, locales.text(lang, "admins_only"))
        return
    if profile is None:
        await repos.users.register(message.chat.id, message.chat.type, lang)
    file_mode = not (profile.file_mode if profile else False)
    await repos.users.set_file_mode(message.chat.id, file_mode)
    await message.answer(locales.text(lang, "mode_file" if file_mode else "mode_video"))


async def choose_language(message: Message, bot: Bot, locales: Locales, lang: str, sender: MediaSender) -> None:
    if not await may_change_settings(bot, message.chat, message.from_user, message.sender_chat):
        await refuse_privately(sender, message, locales.text(lang, "admins_only"))
        return
    await message.answer(locales.text(lang, "lang_choose"), reply_markup=language_keyboard(locales))


async def set_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    bot: Bot,
    repos: Repositories,
    locales: Locales,
    lang: str,
    profile: ChatProfile | None,
) -> None:
    message = query.message
    if callback_data.code not in locales.languages or not isinstance(message, Message):
        await query.answer()
        return
    if not await may_change_settings(bot, message.chat, query.from_user):
        await query.answer(locales.text(lang, "admins_only"), show_alert=True)
        return
    if profile is None:
        await repos.users.register(message.chat.id, message.chat.type, callback_data.code)
    await repos.users.set_language(message.chat.id, callback_data.code)
    await query.answer()
    with suppress(TelegramBadRequest):  # pressed twice: "message is not modified"
        await message.edit_text(locales.text(callback_data.code, "lang_set"))


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(toggle_file_mode, Command("mode"))
    router.message.register(choose_language, Command("lang"))
    router.callback_query.register(set_language, LanguageChoice.filter())
    return router
