"""Inline mode: `@bot <link>` in any chat.

The query is answered at once, before any download: a cached post as a ready result, otherwise one ⏳
article (its keyboard is what gives the sent message an `inline_message_id`). The download starts when
the user picks that result (`chosen_inline_result`, which needs inline feedback on in @BotFather).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ChosenInlineResult, InlineQuery, InlineQueryResultsButton, Message

from data.kinds import MediaKind
from data.locales import Locales
from data.repositories.users import ChatProfile, video_quality_of
from misc.delivery.inline import ChosenPost, InlineDelivery
from misc.delivery.services import is_stale_file_error
from misc.telegram.inline_results import (
    LOADING_CALLBACK,
    ResultKind,
    SlideAction,
    loading_result,
    not_a_link_result,
    parse_result_id,
    result_id,
    slide_keyboard,
)
from tiktok_api.links import extract_post_id, find_links

# Answers depend on the user (registered or not) and on the cache, which fills up within seconds.
CACHE_TIME = 0
START_PARAMETER = "inline"
_CACHED_KINDS = {ResultKind.CACHED_VIDEO: MediaKind.VIDEO, ResultKind.CACHED_SLIDESHOW: MediaKind.SLIDESHOW}


async def answer_query(
    query: InlineQuery, profile: ChatProfile | None, locales: Locales, lang: str, inline: InlineDelivery
) -> None:
    if profile is None:
        button = InlineQueryResultsButton(text=locales.text(lang, "inline_start_bot"), start_parameter=START_PARAMETER)
        await query.answer([], cache_time=CACHE_TIME, is_personal=True, button=button)
        return
    links = find_links(query.query)
    if not links:
        await query.answer([not_a_link_result(locales, lang)], cache_time=CACHE_TIME, is_personal=True)
        return
    post_id = extract_post_id(links[0])  # short links are resolved only once the result is chosen
    loading = loading_result(locales, lang, result_id(ResultKind.DOWNLOAD, query.query, post_id))
    quality = video_quality_of(profile)
    cached = await inline.cached_result(query.query, post_id, lang, quality) if post_id else None
    if cached is None:
        await query.answer([loading], cache_time=CACHE_TIME, is_personal=True)
        return
    try:
        await query.answer([cached], cache_time=CACHE_TIME, is_personal=True)
    except TelegramBadRequest as error:
        if not is_stale_file_error(error):
            raise
        # Telegram forgot the cached file: offer the download instead (it caches the new file id).
        await inline.forget_cached(post_id, quality)
        await query.answer([loading], cache_time=CACHE_TIME, is_personal=True)


async def deliver_chosen(
    chosen: ChosenInlineResult, lang: str, profile: ChatProfile | None, inline: InlineDelivery
) -> None:
    kind, post_id = parse_result_id(chosen.result_id)
    if kind in _CACHED_KINDS:
        await inline.record_cached_choice(chosen.from_user.id, post_id, _CACHED_KINDS[kind])
        return
    links = find_links(chosen.query)
    if kind != ResultKind.DOWNLOAD or not links or chosen.inline_message_id is None:
        return
    await inline.deliver(
        ChosenPost(
            inline_message_id=chosen.inline_message_id,
            user_id=chosen.from_user.id,
            link=links[0],
            lang=lang,
            quality=video_quality_of(profile),
        )
    )


async def still_loading(query: CallbackQuery, locales: Locales, lang: str) -> None:
    await query.answer(locales.text(lang, "inline_loading"))


async def turn_slide(
    query: CallbackQuery, callback_data: SlideAction, bot: Bot, locales: Locales, lang: str, inline: InlineDelivery
) -> None:
    cached = await inline.cached_slideshow(callback_data.video_id)
    if cached is None:
        await query.answer(locales.text(lang, "error_unknown"), show_alert=True)
        return
    slide = await inline.slide(cached, callback_data.index, lang)
    keyboard = slide_keyboard(callback_data.video_id, callback_data.index % slide.total, slide.total)
    target = _edit_target(query)
    if not target:  # the message is too old to be edited
        await query.answer()
        return
    try:
        await bot.edit_message_media(media=slide.media, reply_markup=keyboard, **target)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:  # the counter button shows the image already there
            raise
    await query.answer()


def _edit_target(query: CallbackQuery) -> dict[str, int | str]:
    if query.inline_message_id:
        return {"inline_message_id": query.inline_message_id}
    if isinstance(query.message, Message):
        return {"chat_id": query.message.chat.id, "message_id": query.message.message_id}
    return {}


def create_router() -> Router:
    router = Router(name="inline")
    router.inline_query.register(answer_query)
    router.chosen_inline_result.register(deliver_chosen)
    router.callback_query.register(still_loading, F.data == LOADING_CALLBACK)
    router.callback_query.register(turn_slide, SlideAction.filter())
    return router
