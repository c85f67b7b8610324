"""Inline mode's delivery: cached results for the query, and the download behind a chosen ⏳ result.

Telegram cannot take a new upload into an inline message, so a fresh post is uploaded to
STORAGE_CHANNEL_ID first and the inline message is then edited to it by file id. The file ids land in
the same media cache as the chat flow's, so either path serves the other's posts without TikTok.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineQueryResultCachedPhoto,
    InlineQueryResultCachedVideo,
    InlineQueryResultUnion,
    InputMediaPhoto,
    InputMediaVideo,
)

from data.models import MediaKind, Outcome
from data.repositories.media_cache import CachedMedia
from misc.delivery.captions import PostCaption
from misc.delivery.links import FETCH_TIMEOUT, RESOLVE_TIMEOUT, SLIDESHOW_CACHE, VIDEO_CACHE
from misc.delivery.post_meta import has_every_image, slideshow_meta, slideshow_size, video_meta
from misc.delivery.services import DeliveryServices, VideoAttempt, ms_since
from misc.delivery.user_errors import ErrorTexts, error_kind
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.inline_results import ResultKind, result_id, slide_keyboard
from misc.telegram.media_sender import input_file
from tiktok_api import SlideshowInfo, VideoInfo, extract_post_id

logger = logging.getLogger("tt-bot.inline")


class StorageChannelMissingError(RuntimeError):
    """STORAGE_CHANNEL_ID is not set: a post that is not cached yet cannot be shown inline."""


@dataclass(frozen=True, slots=True)
class ChosenPost:
    """A ⏳ result the user picked: the inline message to fill, for whom, from which link."""

    inline_message_id: str
    user_id: int
    link: str
    lang: str


@dataclass(frozen=True, slots=True)
class Slide:
    media: InputMediaPhoto
    total: int


class InlineDelivery:
    def __init__(self, services: DeliveryServices, *, errors: ErrorTexts, storage_chat_id: int | None) -> None:
        self._services = services
        self._errors = errors
        self._storage_chat_id = storage_chat_id

    # --- answering the query (no network but the database) ---
    async def cached_result(self, query_text: str, post_id: str, lang: str) -> InlineQueryResultUnion | None:
        """A ready result when the post's file ids are cached: the user sends it with no wait at all."""
        video = await self._services.cached(post_id, VIDEO_CACHE)
        if video is not None:
            return InlineQueryResultCachedVideo(
                id=result_id(ResultKind.CACHED_VIDEO, query_text, post_id),
                video_file_id=video.file_ids[0],
                title=self._services.locales.text(lang, "inline_result_title"),
                description=self._services.locales.text(lang, "inline_result_description"),
                caption=await self._caption(video.meta, lang),
            )
        slideshow = await self._complete_slideshow(post_id)
        if slideshow is not None:
            return InlineQueryResultCachedPhoto(
                id=result_id(ResultKind.CACHED_SLIDESHOW, query_text, post_id),
                photo_file_id=slideshow.file_ids[0],
                title=self._services.locales.text(lang, "inline_result_title"),
                description=self._services.locales.text(lang, "inline_result_description"),
                caption=await self._caption(slideshow.meta, lang),
                reply_markup=slide_keyboard(post_id, 0, len(slideshow.file_ids)),
            )
        return None

    async def forget_cached(self, post_id: str) -> None:
        """Telegram no longer knows the cached file ids of this post."""
        for cache_kind in (VIDEO_CACHE, SLIDESHOW_CACHE):
            await self._services.forget(post_id, cache_kind)

    async def record_cached_choice(self, user_id: int, post_id: str, kind: str) -> None:
        """A cached result went out as it was offered: count the delivery."""
        await self._services.record_video(user_id, VideoAttempt(post_id, kind), is_inline=True)

    # --- the chosen ⏳ result ---
    async def deliver(self, chosen: ChosenPost) -> None:
        started = time.monotonic()
        attempt = VideoAttempt()
        try:
            async with self._services.queue.job(chosen.user_id):
                await self._fetch_and_edit(chosen, attempt)
        except QueueFullError as error:
            busy = self._services.locales.text(chosen.lang, "queue_busy", count=error.in_progress)
            await self._show_text(chosen, busy)
            return
        except Exception as error:  # recorded and shown in the inline message, in the user's language
            kind = error_kind(error)
            logger.info("inline delivery failed post=%s kind=%s (%s)", attempt.post_id or "-", kind, error)
            await self._record(chosen, attempt, started, Outcome.FAILED, kind)
            await self._show_text(chosen, self._errors.text(chosen.lang, kind))
            return
        await self._record(chosen, attempt, started, Outcome.SUCCESS, None)
        logger.info("inline delivered post=%s kind=%s in %.0f ms", attempt.post_id, attempt.kind, ms_since(started))

    async def _fetch_and_edit(self, chosen: ChosenPost, attempt: VideoAttempt) -> None:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            attempt.post_id = extract_post_id(chosen.link) or await self._services.tiktok.resolve_post_id(chosen.link)
        if await self._edit_from_cache(chosen, attempt):
            return
        if self._storage_chat_id is None:
            logger.warning("STORAGE_CHANNEL_ID is not set: inline mode can only offer cached posts")
            raise StorageChannelMissingError
        async with asyncio.timeout(FETCH_TIMEOUT):
            info = await self._services.tiktok.video(chosen.link)
        with info:
            attempt.post_id = info.id
            if isinstance(info, SlideshowInfo):
                await self._upload_slideshow(chosen, info, attempt, self._storage_chat_id)
            else:
                await self._upload_video(chosen, info, attempt, self._storage_chat_id)

    async def _edit_from_cache(self, chosen: ChosenPost, attempt: VideoAttempt) -> bool:
        """True when the message now shows cached media (a stale entry is dropped, and then it is False)."""
        post_id = attempt.post_id
        video = await self._services.cached(post_id, VIDEO_CACHE)
        if video is not None and await self._services.sent_by_file_ids(
            post_id, VIDEO_CACHE, self._show_video(chosen, video.file_ids[0], video.meta)
        ):
            attempt.kind, attempt.size = MediaKind.VIDEO, video.meta.get("size")
            return True
        slideshow = await self._complete_slideshow(post_id)
        if slideshow is not None and await self._services.sent_by_file_ids(
            post_id, SLIDESHOW_CACHE, self._show_slide(chosen, post_id, slideshow, 0)
        ):
            attempt.kind, attempt.size = MediaKind.SLIDESHOW, slideshow.meta.get("size")
            return True
        return False

    async def _upload_video(self, chosen: ChosenPost, info: VideoInfo, attempt: VideoAttempt, storage: int) -> None:
        attempt.kind, attempt.size = MediaKind.VIDEO, info.media.size
        meta = video_meta(info)
        caption = await self._caption(meta, chosen.lang)
        sender = self._services.sender
        delivered = await sender.send_video(storage, await sender.video_payload(info), caption=caption)
        await self._services.remember(info.id, VIDEO_CACHE, delivered.file_ids, meta)
        await self._show_video(chosen, delivered.file_ids[0], meta)

    async def _upload_slideshow(
        self, chosen: ChosenPost, info: SlideshowInfo, attempt: VideoAttempt, storage: int
    ) -> None:
        attempt.kind = MediaKind.SLIDESHOW
        attempt.size = slideshow_size(info)
        delivered = await self._services.sender.send_photos(storage, [input_file(image) for image in info.images])
        meta = slideshow_meta(info)
        cached = CachedMedia(file_ids=delivered.file_ids, meta=meta)
        if len(delivered.file_ids) == len(info.images):
            await self._services.remember(info.id, SLIDESHOW_CACHE, delivered.file_ids, meta)
        await self._show_slide(chosen, info.id, cached, 0)

    async def _show_video(self, chosen: ChosenPost, file_id: str, meta: dict[str, Any]) -> None:
        media = InputMediaVideo(
            media=file_id,
            caption=await self._caption(meta, chosen.lang),
            width=meta.get("width"),
            height=meta.get("height"),
            duration=meta.get("duration"),
            supports_streaming=True,
        )
        await self._services.bot.edit_message_media(media=media, inline_message_id=chosen.inline_message_id)

    async def _show_slide(self, chosen: ChosenPost, post_id: str, cached: CachedMedia, index: int) -> None:
        slide = await self.slide(cached, index, chosen.lang)
        await self._services.bot.edit_message_media(
            media=slide.media,
            inline_message_id=chosen.inline_message_id,
            reply_markup=slide_keyboard(post_id, index, slide.total),
        )

    # --- ◀️ ▶️ ---
    async def cached_slideshow(self, post_id: str) -> CachedMedia | None:
        return await self._services.cached(post_id, SLIDESHOW_CACHE)

    async def slide(self, cached: CachedMedia, index: int, lang: str) -> Slide:
        total = len(cached.file_ids)
        media = InputMediaPhoto(media=cached.file_ids[index % total], caption=await self._caption(cached.meta, lang))
        return Slide(media=media, total=total)

    # --- helpers ---
    async def _complete_slideshow(self, post_id: str) -> CachedMedia | None:
        """A cached slideshow with every image (a group's delivery caches only the first ten)."""
        cached = await self._services.cached(post_id, SLIDESHOW_CACHE)
        if cached is None or not has_every_image(cached):
            return None
        return cached

    async def _show_text(self, chosen: ChosenPost, text: str) -> None:
        try:
            await self._services.bot.edit_message_text(
                text=text, inline_message_id=chosen.inline_message_id, reply_markup=None
            )
        except TelegramBadRequest as error:
            logger.warning("inline message %s not updated: %s", chosen.inline_message_id, error.message)

    async def _caption(self, meta: dict[str, Any], lang: str) -> str:
        return await self._services.render_caption(PostCaption.from_meta(meta), lang)

    async def _record(
        self, chosen: ChosenPost, attempt: VideoAttempt, started: float, outcome: str, kind: str | None
    ) -> None:
        await self._services.record_video(
            chosen.user_id, attempt, started=started, outcome=outcome, error_kind=kind, is_inline=True
        )
