"""The "🎬 Video" button under a slideshow's caption (`slidevideo:<post_id>`): anyone in the chat may press it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from data.locales import Locales
from handlers.get_music import MAX_POST_ID_LENGTH
from misc.delivery.button_press import ButtonPress
from misc.delivery.slideshow_videos import SlideshowVideoDelivery
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.keyboards import SlideshowVideoAction


async def slideshow_video_button(
    query: CallbackQuery,
    callback_data: SlideshowVideoAction,
    slideshow_videos: SlideshowVideoDelivery,
    locales: Locales,
    lang: str,
) -> None:
    message = query.message
    post_id = callback_data.post_id
    # Callback data comes from the client: only a post id ever leads to a TikTok request.
    if not isinstance(message, Message) or not post_id.isdigit() or len(post_id) > MAX_POST_ID_LENGTH:
        await query.answer()
        return
    press = ButtonPress(
        chat_id=message.chat.id, chat_type=message.chat.type, message_id=message.message_id, post_id=post_id,
        lang=lang, pressed=query.data or "", keyboard=message.reply_markup,
    )  # fmt: skip
    try:
        await slideshow_videos.deliver(press, on_admitted=query.answer)
    except QueueFullError as full:
        await query.answer(locales.text(lang, "queue_busy", count=full.in_progress), show_alert=True)


def create_router() -> Router:
    router = Router(name="get_slideshow_video")
    router.callback_query.register(slideshow_video_button, SlideshowVideoAction.filter())
    return router
