"""The /settings message: the chat's settings as buttons, each press edits the message in place.

The main view shows the language (a press opens the list of languages), file mode, the three video
qualities (the chosen one ticked) and whether captions carry the post's description.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from data.kinds import VideoQuality
from data.locales import Locales
from data.repositories.users import ChatProfile
from misc.telegram.keyboards import SettingsAction

CHOSEN = "✅ "
LANGUAGE_MARK = "🌐 "


@dataclass(frozen=True, slots=True)
class ChatSettings:
    language: str
    file_mode: bool = False
    video_quality: VideoQuality = VideoQuality.BEST
    caption_description: bool = True

    @classmethod
    def of(cls, profile: ChatProfile | None, lang: str) -> ChatSettings:
        """The stored settings; an unregistered chat has the defaults in the language it is answered in."""
        if profile is None:
            return cls(language=lang)
        return cls(
            language=lang,
            file_mode=profile.file_mode,
            video_quality=VideoQuality(profile.video_quality),
            caption_description=profile.caption_description,
        )


def settings_text(locales: Locales, settings: ChatSettings) -> str:
    return locales.text(settings.language, "settings_title")


def settings_keyboard(locales: Locales, settings: ChatSettings) -> InlineKeyboardMarkup:
    lang = settings.language
    language = _button(LANGUAGE_MARK + locales.text(lang, "language_name"), "langs")
    file_mode = _button(
        locales.text(lang, "settings_file_mode_on" if settings.file_mode else "settings_file_mode_off"),
        "mode",
        "video" if settings.file_mode else "file",
    )
    qualities = [
        _button(
            (CHOSEN if quality is settings.video_quality else "") + locales.text(lang, f"settings_quality_{quality}"),
            "quality",
            quality,
        )
        for quality in VideoQuality
    ]
    on = settings.caption_description
    description = _button(
        locales.text(lang, "settings_description_on" if on else "settings_description_off"),
        "desc",
        "off" if on else "on",
    )
    return InlineKeyboardMarkup(inline_keyboard=[[language], [file_mode], qualities, [description]])


def settings_languages_keyboard(locales: Locales, settings: ChatSettings) -> InlineKeyboardMarkup:
    """Every known language by its own name, two per row, the current one ticked; then "Back"."""
    buttons = [
        _button((CHOSEN if code == settings.language else "") + locales.text(code, "language_name"), "lang", code)
        for code in locales.languages
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([_button(locales.text(settings.language, "settings_back"), "main")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def settings_open_keyboard(locales: Locales, lang: str) -> InlineKeyboardMarkup:
    """The single button under /start's welcome."""
    return InlineKeyboardMarkup(inline_keyboard=[[_button(locales.text(lang, "settings_button"), "open")]])


def _button(text: str, name: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=SettingsAction(name=name, value=value).pack())
