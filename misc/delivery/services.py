"""What every door of the pipeline shares: the collaborators and the chores done the same way for all.

One `DeliveryServices` is built in the composition root: the caption's bot tag, the best-effort media
cache and the delivery records. The database only helps here (misc/delivery/best_effort.py): it never
fails a delivery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from data.kinds import CacheKind, DeliverySource, ErrorKind, MediaKind, Outcome, VideoQuality
from data.locales import Locales
from data.repositories import Repositories
from data.repositories.media_cache import CachedMedia
from misc.delivery.best_effort import best_effort
from misc.delivery.captions import PostCaption
from misc.runtime.queue_manager import JobQueue
from misc.telegram.media_sender import MediaSender
from tiktok_api.client import TikTokClient

logger = logging.getLogger("tt-bot.delivery")

# Telegram's answer when a cached file id no longer works.
_STALE_FILE_MARKERS = ("wrong file identifier", "file_reference", "wrong remote file", "file reference")


def is_stale_file_error(error: TelegramBadRequest) -> bool:
    description = error.message.lower()
    return any(marker in description for marker in _STALE_FILE_MARKERS)


@dataclass(frozen=True, slots=True)
class VideoProbe:
    """What a look inside a downloaded video found (None: not looked into)."""

    codec: str | None = None
    height: int | None = None
    has_audio: bool | None = None


def ms_since(started: float) -> float:
    """Milliseconds since a `time.monotonic()` reading."""
    return (time.monotonic() - started) * 1000


@dataclass(frozen=True, slots=True)
class DeliveryServices:
    bot: Bot
    tiktok: TikTokClient
    queue: JobQueue
    repos: Repositories
    sender: MediaSender
    locales: Locales
    configured_bot_tag: str = ""  # BOT_TAG; empty: the bot's @username

    # --- captions ---
    async def bot_tag(self) -> str:
        if self.configured_bot_tag:
            return self.configured_bot_tag
        me = await self.bot.me()  # aiogram keeps the answer after the first call
        return f"@{me.username}" if me.username else ""

    async def render_caption(self, caption: PostCaption, lang: str) -> str:
        return caption.render(self.locales, lang, await self.bot_tag())

    # --- the media cache ---
    # `quality` is the chat's video quality; it keys video kinds only (None: best), see data/kinds.py.
    async def cached(
        self, post_id: str, cache_kind: CacheKind, *, quality: VideoQuality | None = None
    ) -> CachedMedia | None:
        """The entry, or None when there is none (or the database is away)."""
        found = await self.first_cached(post_id, (cache_kind,), quality=quality)
        return found[1] if found else None

    async def first_cached(
        self, post_id: str, cache_kinds: Sequence[CacheKind], *, quality: VideoQuality | None = None
    ) -> tuple[CacheKind, CachedMedia] | None:
        """The first of `cache_kinds` the post has in the cache, and its kind; None as for `cached`."""
        if not post_id:
            return None
        lookup = self.repos.media_cache.first_of(post_id, cache_kinds, quality=quality)
        found = await best_effort(lookup, None, "cache lookup")
        return (CacheKind(found[0]), found[1]) if found else None

    async def remember(
        self,
        post_id: str,
        cache_kind: CacheKind,
        file_ids: list[str],
        meta: dict[str, Any],
        *,
        quality: VideoQuality | None = None,
    ) -> None:
        if file_ids:
            update = self.repos.media_cache.put(post_id, cache_kind, file_ids, meta, quality=quality)
            await best_effort(update, None, "cache update")

    async def forget(self, post_id: str, cache_kind: CacheKind, *, quality: VideoQuality | None = None) -> None:
        await best_effort(self.repos.media_cache.drop(post_id, cache_kind, quality=quality), None, "cache drop")

    # --- statistics ---
    async def record(
        self,
        chat_id: int,
        post_id: str,
        kind: MediaKind,
        source: DeliverySource,
        *,
        outcome: Outcome = Outcome.SUCCESS,
        error_kind: ErrorKind | None = None,
        size: int | None = None,
        duration_ms: int | None = None,
        probe: VideoProbe | None = None,
    ) -> None:
        """One row in `music` for a sound, in `videos` for anything else (with what `probe` found in the file)."""
        deliveries = self.repos.deliveries
        facts: dict[str, Any] = {
            "source": source,
            "outcome": outcome,
            "error_kind": error_kind,
            "size": size,
            "duration_ms": duration_ms,
        }
        if kind is MediaKind.MUSIC:
            recording = deliveries.record_music(chat_id, post_id, **facts)
        else:
            found = probe or VideoProbe()
            recording = deliveries.record_video(
                chat_id, post_id, kind=kind, codec=found.codec, height=found.height, has_audio=found.has_audio, **facts
            )
        await best_effort(recording, None, "delivery record")
