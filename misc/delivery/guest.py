"""Guest mode's door (Bot API 10.0): the bot is mentioned in a chat it is not a member of.

The answer is one inline result through `answerGuestQuery`: the cached post at once when Telegram already
has it, else a ⏳ result whose inline message is then filled like a chosen inline result (the same
destination: an upload to the storage channel, then an edit).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineQueryResultArticle, InputTextMessageContent

from data.kinds import DeliverySource, MediaKind
from data.locales import Locales
from misc.delivery.inline import ChosenPost, InlineDelivery
from misc.telegram.inline_results import ResultKind, loading_result, parse_result_id, result_id
from tiktok_api.links import extract_post_id
from tiktok_api.quality import VideoQuality

NO_LINK_RESULT_ID = "guest-no-link"
_CACHED_KINDS = {ResultKind.CACHED_VIDEO: MediaKind.VIDEO, ResultKind.CACHED_SLIDESHOW: MediaKind.SLIDESHOW}


class GuestDelivery:
    def __init__(self, bot: Bot, inline: InlineDelivery, locales: Locales) -> None:
        self._bot = bot
        self._inline = inline
        self._locales = locales

    async def answer(
        self, guest_query_id: str, user_id: int, link: str | None, lang: str, quality: VideoQuality
    ) -> None:
        if link is None:
            await self._bot.answer_guest_query(guest_query_id=guest_query_id, result=self._no_link(lang))
            return
        post_id = extract_post_id(link)  # a short link is resolved by the delivery, after the ⏳ answer
        cached = await self._inline.cached_result(link, post_id, lang, quality) if post_id else None
        if cached is not None:
            await self._bot.answer_guest_query(guest_query_id=guest_query_id, result=cached)
            kind, _ = parse_result_id(cached.id)
            await self._inline.record_cached_choice(user_id, post_id or "", _CACHED_KINDS[kind], DeliverySource.GUEST)
            return
        loading = loading_result(self._locales, lang, result_id(ResultKind.DOWNLOAD, link, post_id))
        sent = await self._bot.answer_guest_query(guest_query_id=guest_query_id, result=loading)
        chosen = ChosenPost(sent.inline_message_id, user_id, link, lang, source=DeliverySource.GUEST, quality=quality)
        await self._inline.deliver(chosen)

    def _no_link(self, lang: str) -> InlineQueryResultArticle:
        hint = self._locales.text(lang, "guest_no_link")
        return InlineQueryResultArticle(
            id=NO_LINK_RESULT_ID,
            title=hint,
            input_message_content=InputTextMessageContent(message_text=hint),
        )
