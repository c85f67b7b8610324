"""The per-link workflow, the same for private chats and groups (and for a pressed "Try again").

queue slot → 👀 → canonical post id → cached file ids, or download → 👨‍💻 → send → cache → record.
Every failure is caught in one place, recorded with its kind and told to the user in their language.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from aiogram.enums import ChatType

from data.models import MediaKind, Outcome
from data.repositories.media_cache import CachedMedia
from misc.delivery.captions import PostCaption
from misc.delivery.post_meta import has_every_image, slideshow_meta, slideshow_size, video_meta
from misc.delivery.services import DeliveryServices, VideoAttempt, ms_since
from misc.delivery.user_errors import error_kind
from misc.telegram.keyboards import music_keyboard
from misc.telegram.media_sender import Delivered, FileRef, VideoPayload, input_file
from misc.telegram.reactions import StatusReactions
from tiktok_api import SlideshowInfo, VideoInfo, extract_post_id

logger = logging.getLogger("tt-bot.delivery")

# Deadlines for the TikTok side; every Telegram call has its own (misc/telegram/bot_factory.py).
RESOLVE_TIMEOUT = 60.0
FETCH_TIMEOUT = 240.0
# Groups get at most one album; private chats get every image.
GROUP_IMAGE_LIMIT = 10

VIDEO_CACHE = "video"
VIDEO_DOCUMENT_CACHE = "video_document"
SLIDESHOW_CACHE = "slideshow"
SLIDESHOW_DOCUMENT_CACHE = "slideshow_document"


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """One link to deliver; `message_id` is the user's message (status reactions and replies go there)."""

    chat_id: int
    chat_type: str
    message_id: int
    user_id: int
    link: str
    lang: str
    file_mode: bool = False

    @property
    def is_private(self) -> bool:
        return self.chat_type == ChatType.PRIVATE


@dataclass(slots=True)
class _Attempt(VideoAttempt):
    cached: bool = False
    fetch_ms: float = 0.0


class LinkDelivery:
    def __init__(self, services: DeliveryServices) -> None:
        self._services = services
        self._downloads: dict[tuple[str, bool], asyncio.Event] = {}

    async def deliver(self, request: LinkRequest, on_admitted: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Raises `QueueFullError` at once when the chat has too many links in progress."""
        arrived = time.monotonic()
        async with self._services.queue.job(request.chat_id):
            if on_admitted is not None:
                await on_admitted()
            await self._run(request, queued_ms=ms_since(arrived))

    async def _run(self, request: LinkRequest, queued_ms: float) -> None:
        started = time.monotonic()
        status = StatusReactions(self._services.bot, request.chat_id, request.message_id)
        status.accepted()
        attempt = _Attempt()
        try:
            await self._fetch_and_send(request, status, attempt)
        except Exception as error:  # every failure ends here: recorded, logged, told to the user
            kind = error_kind(error)
            logger.info(
                "delivery failed chat=%s post=%s kind=%s (%s) in %.0f ms",
                request.chat_id, attempt.post_id or "-", kind, type(error).__name__, ms_since(started),
            )  # fmt: skip
            await self._services.record_video(
                request.chat_id, attempt, started=started, outcome=Outcome.FAILED, error_kind=kind
            )
            await self._services.failures.report(
                chat_id=request.chat_id, chat_type=request.chat_type, lang=request.lang, kind=kind,
                status=status, reply_to_message=request.message_id,
            )  # fmt: skip
            return
        await asyncio.gather(status.succeeded(), self._services.record_video(request.chat_id, attempt, started=started))
        logger.info(
            "delivered chat=%s post=%s kind=%s cached=%s bytes=%s in %.0f ms (queued %.0f ms, TikTok %.0f ms)",
            request.chat_id, attempt.post_id, attempt.kind, attempt.cached, attempt.size, ms_since(started),
            queued_ms, attempt.fetch_ms,
        )  # fmt: skip

    async def _fetch_and_send(self, request: LinkRequest, status: StatusReactions, attempt: _Attempt) -> None:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            attempt.post_id = extract_post_id(request.link) or await self._services.tiktok.resolve_post_id(request.link)
        if await self._send_cached(request, status, attempt):
            attempt.cached = True
            return
        async with self._one_download_per_post(attempt.post_id, request.file_mode) as waited_for_another:
            if waited_for_another and await self._send_cached(request, status, attempt):
                attempt.cached = True
                return
            await self._download_and_send(request, status, attempt)

    @asynccontextmanager
    async def _one_download_per_post(self, post_id: str, file_mode: bool) -> AsyncIterator[bool]:
        """A popular post pasted by many at once is downloaded once: the others wait for that download,
        then find its file ids in the cache (yields True for them)."""
        key = (post_id, file_mode)
        running = self._downloads.get(key)
        if running is not None:
            with suppress(TimeoutError):
                async with asyncio.timeout(FETCH_TIMEOUT):
                    await running.wait()
            yield True
            return
        done = self._downloads[key] = asyncio.Event()
        try:
            yield False
        finally:
            del self._downloads[key]
            done.set()

    async def _download_and_send(self, request: LinkRequest, status: StatusReactions, attempt: _Attempt) -> None:
        fetch_started = time.monotonic()
        async with asyncio.timeout(FETCH_TIMEOUT):
            info = await self._services.tiktok.video(request.link)
        attempt.fetch_ms = ms_since(fetch_started)
        with info:
            attempt.post_id = info.id
            status.sending()
            if isinstance(info, SlideshowInfo):
                await self._send_fresh_slideshow(request, info, attempt)
            else:
                await self._send_fresh_video(request, info, attempt)

    # --- from the media cache ---
    async def _send_cached(self, request: LinkRequest, status: StatusReactions, attempt: _Attempt) -> bool:
        """True when the post went out by cached file ids; a stale id drops the entry (then download)."""
        video_kind, slideshow_kind = _cache_kinds(request.file_mode)
        found = await self._services.first_cached(attempt.post_id, (video_kind, slideshow_kind))
        if found is None:
            return False
        cache_kind, cached = found
        is_slideshow = cache_kind == slideshow_kind
        if is_slideshow and request.is_private and not has_every_image(cached):
            return False  # cached from a group (first images only): a private chat gets every image
        status.sending()
        if is_slideshow:
            sending = self._send_cached_slideshow(request, cached, attempt.post_id)
        else:
            sending = self._send_cached_video(request, cached, attempt.post_id)
        if not await self._services.sent_by_file_ids(attempt.post_id, cache_kind, sending):
            return False
        attempt.kind = MediaKind.SLIDESHOW if is_slideshow else MediaKind.VIDEO
        attempt.size = cached.meta.get("size")
        return True

    async def _send_cached_slideshow(self, request: LinkRequest, cached: CachedMedia, post_id: str) -> None:
        refs: list[FileRef] = list(cached.file_ids)
        await self._send_slideshow(request, refs, PostCaption.from_meta(cached.meta), post_id, total=len(refs))

    async def _send_cached_video(self, request: LinkRequest, cached: CachedMedia, post_id: str) -> None:
        caption = PostCaption.from_meta(cached.meta)
        file_id, meta = cached.file_ids[0], cached.meta
        if request.file_mode:
            await self._send_video_document(request, file_id, None, caption, post_id)
            return
        payload = VideoPayload(
            file=file_id, width=meta.get("width"), height=meta.get("height"), duration=meta.get("duration")
        )
        await self._send_video(request, payload, caption, post_id)

    # --- fresh downloads ---
    async def _send_fresh_video(self, request: LinkRequest, info: VideoInfo, attempt: _Attempt) -> None:
        attempt.kind = MediaKind.VIDEO
        attempt.size = info.media.size
        caption = PostCaption.from_post(info)
        if request.file_mode:
            thumbnail = await self._services.sender.thumbnail(info.cover)
            delivered = await self._send_video_document(request, input_file(info.media), thumbnail, caption, info.id)
        else:
            payload = await self._services.sender.video_payload(info)
            delivered = await self._send_video(request, payload, caption, info.id)
        await self._services.remember(info.id, _cache_kinds(request.file_mode)[0], delivered.file_ids, video_meta(info))

    async def _send_fresh_slideshow(self, request: LinkRequest, info: SlideshowInfo, attempt: _Attempt) -> None:
        attempt.kind = MediaKind.SLIDESHOW
        attempt.size = slideshow_size(info)
        caption = PostCaption.from_post(info)
        shown = info.images if request.is_private else info.images[:GROUP_IMAGE_LIMIT]
        refs: list[FileRef] = [input_file(image) for image in shown]
        delivered = await self._send_slideshow(request, refs, caption, info.id, total=len(info.images))
        if len(delivered.file_ids) == len(info.images):
            meta = slideshow_meta(info)
            await self._services.remember(info.id, _cache_kinds(request.file_mode)[1], delivered.file_ids, meta)

    # --- shared by both paths ---
    async def _send_video(
        self, request: LinkRequest, payload: VideoPayload, caption: PostCaption, post_id: str
    ) -> Delivered:
        return await self._services.sender.send_video(
            request.chat_id,
            payload,
            caption=await self._services.render_caption(caption, request.lang),
            reply_markup=music_keyboard(self._services.locales, request.lang, post_id),
            reply_to_message=request.message_id,
        )

    async def _send_video_document(
        self, request: LinkRequest, file: FileRef, thumbnail: Any, caption: PostCaption, post_id: str
    ) -> Delivered:
        return await self._services.sender.send_document(
            request.chat_id,
            file,
            thumbnail=thumbnail,
            caption=await self._services.render_caption(caption, request.lang),
            reply_markup=music_keyboard(self._services.locales, request.lang, post_id),
            reply_to_message=request.message_id,
        )

    async def _send_slideshow(
        self, request: LinkRequest, refs: list[FileRef], caption: PostCaption, post_id: str, *, total: int
    ) -> Delivered:
        """The images (albums of ≤10), then one message with the caption and the sound button."""
        if not request.is_private:
            refs = refs[:GROUP_IMAGE_LIMIT]
        send = self._services.sender.send_documents if request.file_mode else self._services.sender.send_photos
        delivered = await send(request.chat_id, refs, reply_to_message=request.message_id)
        text = await self._services.render_caption(caption, request.lang)
        if len(refs) < total:
            note = self._services.locales.text(request.lang, "group_images_note", shown=len(refs), total=total)
            text = f"{text}\n\n{note}"
        await self._services.sender.send_text(
            request.chat_id,
            text,
            reply_markup=music_keyboard(self._services.locales, request.lang, post_id),
            reply_to_message=request.message_id,
        )
        return delivered


def _cache_kinds(file_mode: bool) -> tuple[str, str]:
    if file_mode:
        return VIDEO_DOCUMENT_CACHE, SLIDESHOW_DOCUMENT_CACHE
    return VIDEO_CACHE, SLIDESHOW_CACHE
