"""The one delivery pipeline every door uses (links in chats, inline results, sound presses):

queue slot → post id → cached file ids, or one download per post → send to the destination →
remember the file ids → record the delivery → report the outcome (and, when TikTok was asked, whether its
page could be read: misc/delivery/extraction_alerts.py).

Every failure ends in one place: logged, recorded with its kind, and told by the destination.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramBadRequest

from data.kinds import CacheKind, ErrorKind, MediaKind, Outcome
from misc.delivery.destination import Destination
from misc.delivery.extraction_alerts import ExtractionAlerts
from misc.delivery.media_kinds import Media, Sent
from misc.delivery.services import DeliveryServices, is_stale_file_error, ms_since
from misc.delivery.user_errors import error_kind
from tiktok_api.links import extract_post_id
from tiktok_api.probe import MediaProbe
from tiktok_api.quality import VideoQuality

logger = logging.getLogger("tt-bot.delivery")

# Resolving a short link; each fetch has its media's own deadline, every Telegram call its own.
RESOLVE_TIMEOUT = 60.0
# A cache lookup that started before a download of the same post ended may have missed its file ids.
RECENT_DOWNLOAD_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Order:
    """What a door asks for: a post by its link (or its id, when known), for whom, in which language."""

    requester_id: int  # whose queue slot and whose delivery row: the chat, or the user of an inline result
    lang: str
    media: Media[Any, Any]
    link: str = ""
    post_id: str = ""
    quality: VideoQuality = VideoQuality.BEST  # which rendition of a video (the requester's setting)


@dataclass(slots=True)
class Attempt:
    """What is known so far about one delivery (for its log line and its row)."""

    post_id: str = ""
    kind: MediaKind = MediaKind.VIDEO
    size: int | None = None
    cached: bool = False
    fetch_ms: float = 0.0
    probe: MediaProbe | None = None  # a video's codec, height and sound: for the row's codec/height/has_audio
    asked_tiktok: bool = False  # a download started (not answered from the cache)
    fetched: bool = False  # TikTok's page was read and the media downloaded

    def sent(self, sent: Sent) -> None:
        self.kind, self.size, self.probe = sent.kind, sent.size, sent.probe


class DeliveryPipeline:
    def __init__(self, services: DeliveryServices, extraction: ExtractionAlerts) -> None:
        self._services = services
        self._extraction = extraction
        self._downloads: dict[tuple[str, tuple[CacheKind, ...]], asyncio.Event] = {}
        self._finished: OrderedDict[tuple[str, tuple[CacheKind, ...]], float] = OrderedDict()

    async def deliver(
        self, order: Order, destination: Destination, on_admitted: Callable[[], Awaitable[Any]] | None = None
    ) -> None:
        """Raises `QueueFullError` at once when the requester has too many deliveries in progress."""
        arrived = time.monotonic()
        async with self._services.queue.job(order.requester_id):
            if on_admitted is not None:
                await on_admitted()
            await self._run(order, destination, queued_ms=ms_since(arrived))

    async def _run(self, order: Order, destination: Destination, queued_ms: float) -> None:
        started = time.monotonic()
        attempt = Attempt(post_id=order.post_id, kind=order.media.kind)
        destination.accepted()
        try:
            await self._fetch_and_send(order, destination, attempt)
        except Exception as error:  # every failure ends here
            await self._fail(order, destination, attempt, started, error_kind(error), error)
            return
        await asyncio.gather(destination.succeeded(), self._record(order, destination, attempt, started))
        await self._observe_extraction(attempt, None)
        logger.info(
            "delivered chat=%s post=%s kind=%s source=%s cached=%s bytes=%s in %.0f ms"
            " (queued %.0f ms, TikTok %.0f ms)",
            order.requester_id, attempt.post_id, attempt.kind, destination.source, attempt.cached, attempt.size,
            ms_since(started), queued_ms, attempt.fetch_ms,
        )  # fmt: skip

    async def _fail(
        self,
        order: Order,
        destination: Destination,
        attempt: Attempt,
        started: float,
        kind: ErrorKind,
        error: Exception,
    ) -> None:
        logger.info(
            "delivery failed chat=%s post=%s kind=%s source=%s error=%s (%s) in %.0f ms",
            order.requester_id, attempt.post_id or "-", attempt.kind, destination.source, kind,
            type(error).__name__, ms_since(started),
        )  # fmt: skip
        await self._record(order, destination, attempt, started, Outcome.FAILED, kind)
        await destination.failed(kind)
        await self._observe_extraction(attempt, error)

    async def _observe_extraction(self, attempt: Attempt, error: Exception | None) -> None:
        """Every door's deliveries that asked TikTok count towards the extraction watch, once each."""
        if attempt.asked_tiktok:
            await self._extraction.observe(None if attempt.fetched else error)

    async def _fetch_and_send(self, order: Order, destination: Destination, attempt: Attempt) -> None:
        if not attempt.post_id:
            async with asyncio.timeout(RESOLVE_TIMEOUT):
                attempt.post_id = extract_post_id(order.link) or await self._services.tiktok.resolve_post_id(order.link)
        cache_kinds = order.media.cache_kinds(destination)
        if await self._send_cached(order, destination, attempt, cache_kinds):
            return
        downloading = self._one_download_per_post(
            f"{attempt.post_id}:{order.quality}", cache_kinds, order.media.fetch_timeout
        )
        async with downloading as waited_for_another:
            if waited_for_another and await self._send_cached(order, destination, attempt, cache_kinds):
                return
            await destination.before_download()
            await self._download_and_send(order, destination, attempt)

    async def _send_cached(
        self, order: Order, destination: Destination, attempt: Attempt, cache_kinds: tuple[CacheKind, ...]
    ) -> bool:
        """True when cached file ids answered; a file id Telegram forgot drops the entry (then: download)."""
        found = await self._services.first_cached(attempt.post_id, cache_kinds, quality=order.quality)
        if found is None:
            return False
        cache_kind, cached = found
        destination.sending()
        try:
            sent = await order.media.send_cached(destination, cache_kind, cached, attempt.post_id)
        except TelegramBadRequest as error:
            if not is_stale_file_error(error):
                raise
            logger.info("stale file id for post %s (%s): downloading again", attempt.post_id, cache_kind)
            await self._services.forget(attempt.post_id, cache_kind, quality=order.quality)
            return False
        if sent is None:
            return False
        attempt.sent(sent)
        attempt.cached = True
        return True

    @asynccontextmanager
    async def _one_download_per_post(
        self, post_key: str, cache_kinds: tuple[CacheKind, ...], fetch_timeout: float
    ) -> AsyncIterator[bool]:
        """A popular post asked for by many at once is downloaded once: the others wait for that download,
        then find its file ids in the cache (yields True for them). So does a request whose cache lookup
        missed while a download of the post was just finishing."""
        key = (post_key, cache_kinds)
        running = self._downloads.get(key)
        if running is not None:
            with suppress(TimeoutError):
                async with asyncio.timeout(fetch_timeout):
                    await running.wait()
            yield True
            return
        done = self._downloads[key] = asyncio.Event()
        try:
            yield self._recently_downloaded(key)
        finally:
            del self._downloads[key]
            self._finished.pop(key, None)
            self._finished[key] = time.monotonic()
            done.set()

    def _recently_downloaded(self, key: tuple[str, tuple[CacheKind, ...]]) -> bool:
        horizon = time.monotonic() - RECENT_DOWNLOAD_SECONDS
        while self._finished and next(iter(self._finished.values())) < horizon:
            self._finished.popitem(last=False)
        return key in self._finished

    async def _download_and_send(self, order: Order, destination: Destination, attempt: Attempt) -> None:
        fetch_started = time.monotonic()
        attempt.asked_tiktok = True
        async with asyncio.timeout(order.media.fetch_timeout):
            fetched = await order.media.fetch(self._services.tiktok, order.link, attempt.post_id, order.quality)
        attempt.fetched = True
        attempt.fetch_ms = ms_since(fetch_started)
        with fetched:
            attempt.post_id = fetched.id
            destination.sending()
            sent = await order.media.send_fresh(destination, fetched)
        attempt.sent(sent)
        if sent.entry is not None:
            await self._services.remember(
                attempt.post_id, sent.entry.kind, sent.entry.file_ids, sent.entry.meta, quality=order.quality
            )

    async def _record(
        self,
        order: Order,
        destination: Destination,
        attempt: Attempt,
        started: float,
        outcome: Outcome = Outcome.SUCCESS,
        kind: ErrorKind | None = None,
    ) -> None:
        await self._services.record(
            order.requester_id, attempt.post_id, attempt.kind, destination.source,
            outcome=outcome, error_kind=kind, size=attempt.size, duration_ms=int(ms_since(started)),
            probe=attempt.probe,
        )  # fmt: skip
