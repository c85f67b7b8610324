"""Guest mode: `@bot` mentioned in any chat the bot is not in, with a TikTok link in that message or in
the message it replies to. The answer appears in that chat (misc/delivery/guest.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from data.repositories.users import ChatProfile, video_quality_of
from handlers.get_video import links_in_message
from misc.delivery.guest import GuestDelivery


def guest_link(message: Message) -> str | None:
    """The first link of the mention itself, else of the message it replies to."""
    for source in (message, message.reply_to_message):
        links = links_in_message(source) if source is not None else []
        if links:
            return links[0]
    return None


async def guest_mention(message: Message, guest: GuestDelivery, lang: str, profile: ChatProfile | None) -> None:
    if message.guest_query_id is None:
        return
    caller = message.from_user or message.guest_bot_caller_user
    user_id = caller.id if caller else message.chat.id
    await guest.answer(message.guest_query_id, user_id, guest_link(message), lang, video_quality_of(profile))


def create_router() -> Router:
    router = Router(name="guest")
    router.guest_message.register(guest_mention)
    return router
