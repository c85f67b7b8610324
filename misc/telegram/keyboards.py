"""Inline keyboards of the download bot and the typed callback data behind their buttons."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from data.locales import Locales

# Telegram rejects callback data longer than 64 bytes.
MAX_CALLBACK_DATA = 64


class MusicAction(CallbackData, prefix="music"):
    """The sound button under a video or slideshow: `music:<video_id>`."""

    video_id: str


class LanguageChoice(CallbackData, prefix="lang"):
    """A button of the /lang keyboard: `lang:<code>`."""

    code: str


class SettingsAction(CallbackData, prefix="settings"):
    """A button of the /settings message: `settings:<name>:<value>`, at most ~30 bytes.

    open (from /start's welcome: send the menu), langs and main (switch the keyboard in place),
    lang:<code>, mode:file|video, quality:best|balanced|saver, desc:on|off."""

    name: str
    value: str = ""


class RetryLink(CallbackData, prefix="retry"):
    """The "Try again" button after a full queue: bound to the user who sent the link and to their message."""

    user_id: int
    message_id: int
    link: str


def music_keyboard(locales: Locales, lang: str, video_id: str) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=locales.text(lang, "music_button"), callback_data=MusicAction(video_id=video_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def language_keyboard(locales: Locales) -> InlineKeyboardMarkup:
    """Every known language by its own name, two per row."""
    buttons = [
        InlineKeyboardButton(text=locales.text(code, "language_name"), callback_data=LanguageChoice(code=code).pack())
        for code in locales.languages
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[index : index + 2] for index in range(0, len(buttons), 2)])


def retry_keyboard(locales: Locales, lang: str, retry: RetryLink) -> InlineKeyboardMarkup | None:
    """None when the link does not fit into callback data (the user then simply sends it again)."""
    try:
        data = retry.pack()
    except ValueError:  # the link holds the separator ":"
        return None
    if len(data.encode()) > MAX_CALLBACK_DATA:
        return None
    button = InlineKeyboardButton(text=locales.text(lang, "try_again_button"), callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
