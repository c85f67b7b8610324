"""Building blocks of inline mode that need no network: result ids, keyboards, and the quick answers."""

from __future__ import annotations

import hashlib

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)

from data.locales import Locales

# Telegram rejects inline result ids longer than 64 bytes; ours stay far below whatever the query is.
MAX_POST_ID_IN_RESULT = 32
DIGEST_LENGTH = 12


class ResultKind:
    """First letter of a result id: what the chosen result was, without keeping any state between updates."""

    DOWNLOAD = "d"  # the ⏳ article: download on chosen_inline_result, then edit the message
    CACHED_VIDEO = "v"
    CACHED_SLIDESHOW = "s"


NOT_A_LINK_RESULT_ID = "not-a-link"
LOADING_CALLBACK = "inline:wait"


class SlideAction(CallbackData, prefix="slide"):
    """◀️ ▶️ in an inline slideshow: which post and which image to show."""

    video_id: str
    index: int


def result_id(kind: str, query_text: str, post_id: str | None) -> str:
    """`<kind><post id digits>-<hash of the query>`: at most 1 + 32 + 1 + 12 bytes whatever the query."""
    digest = hashlib.sha256(query_text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_LENGTH]
    post = "".join(character for character in post_id or "" if character.isascii() and character.isdigit())
    return f"{kind}{post[:MAX_POST_ID_IN_RESULT]}-{digest}"


def parse_result_id(value: str) -> tuple[str, str]:
    """(kind, post id) of one of our result ids; the post id is "" when the query held a short link."""
    head = value.partition("-")[0]
    return head[:1], head[1:]


def loading_keyboard(locales: Locales, lang: str) -> InlineKeyboardMarkup:
    """An inline message gets an `inline_message_id` (so it can be edited later) only with a keyboard."""
    button = InlineKeyboardButton(text=locales.text(lang, "inline_loading"), callback_data=LOADING_CALLBACK)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def loading_result(locales: Locales, lang: str, result_id_value: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id_value,
        title=locales.text(lang, "inline_result_title"),
        description=locales.text(lang, "inline_result_description"),
        input_message_content=InputTextMessageContent(message_text=locales.text(lang, "inline_loading")),
        reply_markup=loading_keyboard(locales, lang),
    )


def not_a_link_result(locales: Locales, lang: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=NOT_A_LINK_RESULT_ID,
        title=locales.text(lang, "inline_not_a_link_title"),
        description=locales.text(lang, "inline_not_a_link_text"),
        input_message_content=InputTextMessageContent(message_text=locales.text(lang, "inline_not_a_link_text")),
    )


def slide_keyboard(video_id: str, index: int, total: int) -> InlineKeyboardMarkup:
    """◀️ n/total ▶️, wrapping around at both ends."""
    previous = SlideAction(video_id=video_id, index=(index - 1) % total).pack()
    following = SlideAction(video_id=video_id, index=(index + 1) % total).pack()
    counter = SlideAction(video_id=video_id, index=index).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="◀️", callback_data=previous),
                InlineKeyboardButton(text=f"{index + 1}/{total}", callback_data=counter),
                InlineKeyboardButton(text="▶️", callback_data=following),
            ]
        ]
    )
