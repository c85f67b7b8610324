"""What the three delivery workflows (links in chats, the sound button, inline mode) share.

One `DeliveryServices` is built in the composition root and handed to each workflow: the collaborators,
plus the chores every workflow does the same way: the caption's bot tag, the best-effort media cache
and the delivery statistics. The database only helps here (misc/delivery/best_effort.py): it never fails a delivery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from data.locales import Locales
from data.models import MediaKind, Outcome
from data.repositories import Repositories
from data.repositories.media_cache import CachedMedia
from misc.delivery.best_effort import best_effort
from misc.delivery.captions import PostCaption
from misc.delivery.failures import FailureReporter
from misc.runtime.queue_manager import JobQueue
from misc.telegram.media_sender import MediaSender
from tiktok_api import TikTokClient

logger = logging.getLogger("tt-bot.delivery")

# Telegram's answer when a cached file id no longer works.
_STALE_FILE_MARKERS = ("wrong file identifier", "file_reference", "wrong remote file", "file reference")


def is_stale_file_error(error: TelegramBadRequest) -> bool:
    description = error.message.lower()
    return any(marker in description for marker in _STALE_FILE_MARKERS)


def ms_since(started: float) -> float:
    """Milliseconds since a `time.monotonic()` reading."""
    return (time.monotonic() - started) * 1000


@dataclass(slots=True)
class VideoAttempt:
    """What is known so far about one video or slideshow being delivered (for the log and its `videos` row)."""

    post_id: str = ""
    kind: str = MediaKind.VIDEO
    size: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryServices:
    bot: Bot
    tiktok: TikTokClient
    queue: JobQueue
    repos: Repositories
    sender: MediaSender
    locales: Locales
    failures: FailureReporter
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
    async def cached(self, post_id: str, cache_kind: str) -> CachedMedia | None:
        """The entry, or None when there is none (or the database is away)."""
        found = await self.first_cached(post_id, (cache_kind,))
        return found[1] if found else None

    async def first_cached(self, post_id: str, cache_kinds: Sequence[str]) -> tuple[str, CachedMedia] | None:
        """The first of `cache_kinds` the post has in the cache, and its kind; None as for `cached`."""
        if not post_id:
            return None
        return await best_effort(self.repos.media_cache.first_of(post_id, cache_kinds), None, "cache lookup")

    async def remember(self, post_id: str, cache_kind: str, file_ids: list[str], meta: dict[str, Any]) -> None:
        if file_ids:
            await best_effort(self.repos.media_cache.put(post_id, cache_kind, file_ids, meta), None, "cache update")

    async def forget(self, post_id: str, cache_kind: str) -> None:
        await best_effort(self.repos.media_cache.drop(post_id, cache_kind), None, "cache drop")

    async def sent_by_file_ids(self, post_id: str, cache_kind: str, send: Awaitable[object]) -> bool:
        """Await a send by cached file ids; False (and the entry dropped) when Telegram no longer knows them."""
        try:
            await send
        except TelegramBadRequest as error:
            if not is_stale_file_error(error):
                raise
            logger.info("stale file id for post %s (%s): downloading again", post_id, cache_kind)
            await self.forget(post_id, cache_kind)
            return False
        return True

    # --- statistics ---
    async def record_video(
        self,
        chat_id: int,
        attempt: VideoAttempt,
        *,
        started: float | None = None,
        outcome: str = Outcome.SUCCESS,
        error_kind: str | None = None,
        is_inline: bool = False,
    ) -> None:
        """One `videos` row; `started` (a `time.monotonic()` reading) gives its duration."""
        recording = self.repos.deliveries.record_video(
            chat_id,
            attempt.post_id,
            kind=attempt.kind,
            is_inline=is_inline,
            outcome=outcome,
            error_kind=error_kind,
            size=attempt.size,
            duration_ms=None if started is None else int(ms_since(started)),
        )
        await best_effort(recording, None, "delivery record")

    async def record_music(
        self, chat_id: int, post_id: str, *, started: float, outcome: str, error_kind: str | None, size: int | None
    ) -> None:
        recording = self.repos.deliveries.record_music(
            chat_id, post_id, outcome=outcome, error_kind=error_kind, size=size, duration_ms=int(ms_since(started))
        )
        await best_effort(recording, None, "sound record")
