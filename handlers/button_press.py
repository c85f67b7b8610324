"""What every button under the bot's own messages does with a press (the sound, a slideshow's video):
check the post id from the client, deliver through the button door, answer a full queue with an alert."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from data.locales import Locales
from misc.delivery.button_press import ButtonPress, ButtonPressDelivery
from misc.runtime.queue_manager import QueueFullError

MAX_POST_ID_LENGTH = 32


async def deliver_press(
    query: CallbackQuery, post_id: str, delivery: ButtonPressDelivery, locales: Locales, lang: str
) -> None:
    message = query.message
    # Callback data comes from the client: only a post id ever leads to a TikTok request.
    if not isinstance(message, Message) or not post_id.isdigit() or len(post_id) > MAX_POST_ID_LENGTH:
        await query.answer(locales.text(lang, "button_expired"))
        return
    press = ButtonPress(
        chat_id=message.chat.id, chat_type=message.chat.type, message_id=message.message_id, post_id=post_id,
        lang=lang, pressed=query.data or "", keyboard=message.reply_markup, presser_id=query.from_user.id,
    )  # fmt: skip
    try:
        await delivery.deliver(press, on_admitted=query.answer)
    except QueueFullError as full:
        await query.answer(locales.text(lang, "queue_busy", count=full.in_progress), show_alert=True)
