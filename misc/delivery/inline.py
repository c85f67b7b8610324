"""Inline mode's door: ready results for a query from the cache, and the download behind a chosen ⏳ result.

The chosen result goes through the delivery pipeline to its inline message (misc/delivery/inline_message.py);
the file ids land in the same media cache as the chat flow's, so either path serves the other's posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineQueryResultCachedPhoto, InlineQueryResultCachedVideo, InlineQueryResultUnion

from data.kinds import CacheKind, DeliverySource, MediaKind
from data.repositories.media_cache import CachedMedia
from misc.delivery.captions import PostCaption
from misc.delivery.inline_message import InlineMessage, Slide, slide
from misc.delivery.media_kinds import PostMedia
from misc.delivery.pipeline import DeliveryPipeline, Order
from misc.delivery.post_meta import has_every_image
from misc.delivery.services import DeliveryServices
from misc.delivery.user_errors import ErrorTexts
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.inline_results import ResultKind, result_id, slide_keyboard
from tiktok_api.quality import VideoQuality


@dataclass(frozen=True, slots=True)
class ChosenPost:
    """A ⏳ result the user picked: the inline message to fill, for whom, from which link."""

    inline_message_id: str
    user_id: int
    link: str
    lang: str
    source: DeliverySource = DeliverySource.INLINE
    quality: VideoQuality = VideoQuality.BEST  # the setting of the user who asked


class InlineDelivery:
    def __init__(
        self, services: DeliveryServices, pipeline: DeliveryPipeline, *, errors: ErrorTexts, storage_chat_id: int | None
    ) -> None:
        self._services = services
        self._pipeline = pipeline
        self._errors = errors
        self._storage_chat_id = storage_chat_id
        self._posts = PostMedia(services.sender)

    # --- answering the query (no network but the database) ---
    async def cached_result(
        self, query_text: str, post_id: str, lang: str, quality: VideoQuality
    ) -> InlineQueryResultUnion | None:
        """A ready result when the post's file ids are cached: the user sends it with no wait at all."""
        video = await self._services.cached(post_id, CacheKind.VIDEO, quality=quality)
        if video is not None:
            return InlineQueryResultCachedVideo(
                id=result_id(ResultKind.CACHED_VIDEO, query_text, post_id),
                video_file_id=video.file_ids[0],
                title=self._services.locales.text(lang, "inline_result_title"),
                description=self._services.locales.text(lang, "inline_result_description"),
                caption=await self._caption(video, lang),
            )
        slideshow = await self.cached_slideshow(post_id)
        if slideshow is not None and has_every_image(slideshow):
            return InlineQueryResultCachedPhoto(
                id=result_id(ResultKind.CACHED_SLIDESHOW, query_text, post_id),
                photo_file_id=slideshow.file_ids[0],
                title=self._services.locales.text(lang, "inline_result_title"),
                description=self._services.locales.text(lang, "inline_result_description"),
                caption=await self._caption(slideshow, lang),
                reply_markup=slide_keyboard(post_id, 0, len(slideshow.file_ids)),
            )
        return None

    async def forget_cached(self, post_id: str, quality: VideoQuality) -> None:
        """Telegram no longer knows the cached file ids of this post."""
        for cache_kind in (CacheKind.VIDEO, CacheKind.SLIDESHOW):
            await self._services.forget(post_id, cache_kind, quality=quality)

    async def record_cached_choice(
        self, user_id: int, post_id: str, kind: MediaKind, source: DeliverySource = DeliverySource.INLINE
    ) -> None:
        """A cached result went out as it was offered: count the delivery."""
        await self._services.record(user_id, post_id, kind, source)

    # --- the chosen ⏳ result ---
    async def deliver(self, chosen: ChosenPost) -> None:
        destination = InlineMessage(
            self._services, self._errors, self._storage_chat_id, chosen.inline_message_id, chosen.lang, chosen.source
        )
        order = Order(
            requester_id=chosen.user_id, lang=chosen.lang, media=self._posts, link=chosen.link, quality=chosen.quality
        )
        try:
            await self._pipeline.deliver(order, destination)
        except QueueFullError as error:
            await destination.show_text(self._services.locales.text(chosen.lang, "queue_busy", count=error.in_progress))

    # --- ◀️ ▶️ ---
    async def cached_slideshow(self, post_id: str) -> CachedMedia | None:
        return await self._services.cached(post_id, CacheKind.SLIDESHOW)

    async def slide(self, cached: CachedMedia, index: int, lang: str) -> Slide:
        return await slide(self._services, cached.file_ids, cached.meta, index, lang)

    async def _caption(self, cached: CachedMedia, lang: str) -> str:
        return await self._services.render_caption(PostCaption.from_meta(cached.meta), lang)
