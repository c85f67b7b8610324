"""The sound button under a video or slideshow (`music:<video_id>`): anyone in the chat may press it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from data.locales import Locales
from misc.delivery.button_press import ButtonPress
from misc.delivery.sounds import SoundDelivery
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.keyboards import MusicAction

MAX_POST_ID_LENGTH = 32


async def sound_button(
    query: CallbackQuery, callback_data: MusicAction, sounds: SoundDelivery, locales: Locales, lang: str
) -> None:
    message = query.message
    video_id = callback_data.video_id
    # Callback data comes from the client: only a post id ever leads to a TikTok request.
    if not isinstance(message, Message) or not video_id.isdigit() or len(video_id) > MAX_POST_ID_LENGTH:
        await query.answer(locales.text(lang, "button_expired"))
        return
    request = ButtonPress(
        chat_id=message.chat.id, chat_type=message.chat.type, message_id=message.message_id, post_id=video_id,
        lang=lang, pressed=query.data or "", keyboard=message.reply_markup,
    )  # fmt: skip
    try:
        await sounds.deliver(request, on_admitted=query.answer)
    except QueueFullError as full:
        await query.answer(locales.text(lang, "queue_busy", count=full.in_progress), show_alert=True)


def create_router() -> Router:
    router = Router(name="get_music")
    router.callback_query.register(sound_button, MusicAction.filter())
    return router
