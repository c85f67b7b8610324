"""/settings (one message of buttons, edited in place: `settings:<name>:<value>`), /mode (videos as files
or as videos) and /lang (buttons `lang:<code>`); group admins only in groups.

A member who is not an admin is told so privately: a note only they see, or the button's alert."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from data.kinds import VideoQuality
from data.locales import Locales
from data.repositories import Repositories
from data.repositories.users import ChatProfile
from misc.telegram.chat_rights import may_change_settings, refuse_privately
from misc.telegram.keyboards import LanguageChoice, SettingsAction, language_keyboard
from misc.telegram.media_sender import MediaSender
from misc.telegram.settings_menu import ChatSettings, settings_keyboard, settings_languages_keyboard, settings_text

_QUALITIES = frozenset(VideoQuality)


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


async def open_settings(
    message: Message, bot: Bot, locales: Locales, lang: str, profile: ChatProfile | None, sender: MediaSender
) -> None:
    if not await may_change_settings(bot, message.chat, message.from_user, message.sender_chat):
        await refuse_privately(sender, message, locales.text(lang, "admins_only"))
        return
    settings = ChatSettings.of(profile, lang)
    await message.answer(settings_text(locales, settings), reply_markup=settings_keyboard(locales, settings))


async def press_settings(
    query: CallbackQuery,
    callback_data: SettingsAction,
    bot: Bot,
    repos: Repositories,
    locales: Locales,
    lang: str,
    profile: ChatProfile | None,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    if not await may_change_settings(bot, message.chat, query.from_user):
        await query.answer(locales.text(lang, "admins_only"), show_alert=True)
        return
    if profile is None:
        await repos.users.register(message.chat.id, message.chat.type, lang)
    if not await _apply(repos, locales, message.chat.id, callback_data):
        await query.answer()
        return
    await query.answer()
    stored = await repos.users.get(message.chat.id)
    settings = ChatSettings.of(stored, locales.pick(stored.language if stored else None, lang))
    if callback_data.name == "open":  # the button under /start's welcome: the menu as a message of its own
        await message.answer(settings_text(locales, settings), reply_markup=settings_keyboard(locales, settings))
        return
    languages = callback_data.name == "langs"
    keyboard = settings_languages_keyboard(locales, settings) if languages else settings_keyboard(locales, settings)
    with suppress(TelegramBadRequest):  # pressed twice: "message is not modified"
        await message.edit_text(settings_text(locales, settings), reply_markup=keyboard)


async def _apply(repos: Repositories, locales: Locales, chat_id: int, action: SettingsAction) -> bool:
    """Store what the button asks for; False for data no button of ours carries (nothing is changed)."""
    users = repos.users
    match action.name, action.value:
        case "lang", code if code in locales.languages:
            await users.set_language(chat_id, code)
        case "mode", "file" | "video":
            await users.set_file_mode(chat_id, action.value == "file")
        case "quality", quality if quality in _QUALITIES:
            await users.set_video_quality(chat_id, VideoQuality(quality))
        case "desc", "on" | "off":
            await users.set_caption_description(chat_id, action.value == "on")
        case "open" | "langs" | "main", _:
            pass
        case _:
            return False
    return True


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(open_settings, Command("settings"))
    router.callback_query.register(press_settings, SettingsAction.filter())
    router.message.register(toggle_file_mode, Command("mode"))
    router.message.register(choose_language, Command("lang"))
    router.callback_query.register(set_language, LanguageChoice.filter())
    return router
