"""The sound of a post, sent when someone presses its button (anyone in the chat may).

The button is hidden while the work runs and always put back afterwards, so a failure can be retried
and a later press works too. Cached file ids answer repeats without TikTok.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from data.models import Outcome
from misc.delivery.services import DeliveryServices, ms_since
from misc.delivery.user_errors import error_kind
from misc.telegram.keyboards import music_keyboard
from misc.telegram.media_sender import AudioPayload
from misc.telegram.reactions import StatusReactions

logger = logging.getLogger("tt-bot.sound")

FETCH_TIMEOUT = 180.0
MUSIC_CACHE = "music"


@dataclass(frozen=True, slots=True)
class SoundRequest:
    """`message_id` is the bot's message that carries the sound button."""

    chat_id: int
    chat_type: str
    message_id: int
    video_id: str
    lang: str


class SoundDelivery:
    def __init__(self, services: DeliveryServices) -> None:
        self._services = services

    async def deliver(self, request: SoundRequest, on_admitted: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Raises `QueueFullError` at once when the chat has too many jobs in progress."""
        async with self._services.queue.job(request.chat_id):
            if on_admitted is not None:
                await on_admitted()
            await self._set_button(request, None)
            try:
                await self._run(request)
            finally:
                await self._set_button(request, music_keyboard(self._services.locales, request.lang, request.video_id))

    async def _run(self, request: SoundRequest) -> None:
        started = time.monotonic()
        size: int | None = None
        try:
            size = await self._send(request)
        except Exception as error:  # every failure ends here: recorded, logged, told to the user
            kind = error_kind(error)
            logger.info("sound failed chat=%s post=%s kind=%s (%s)", request.chat_id, request.video_id, kind,
                        type(error).__name__)  # fmt: skip
            await self._record(request, started, Outcome.FAILED, kind, None)
            status = StatusReactions(self._services.bot, request.chat_id, request.message_id)
            await self._services.failures.report(
                chat_id=request.chat_id, chat_type=request.chat_type, lang=request.lang, kind=kind,
                status=status, reply_to_message=request.message_id,
            )  # fmt: skip
            return
        await self._record(request, started, Outcome.SUCCESS, None, size)
        logger.info("sound delivered chat=%s post=%s in %.0f ms", request.chat_id, request.video_id,
                    ms_since(started))  # fmt: skip

    async def _send(self, request: SoundRequest) -> int | None:
        cached = await self._send_cached(request)
        if cached is not None:
            return cached
        async with asyncio.timeout(FETCH_TIMEOUT):
            music = await self._services.tiktok.music(request.video_id)
        with music:
            sender = self._services.sender
            delivered = await sender.send_audio(
                request.chat_id, await sender.audio_payload(music), reply_to_message=request.message_id
            )
            meta = {"title": music.title, "author": music.author, "duration": music.duration, "size": music.media.size}
            await self._services.remember(request.video_id, MUSIC_CACHE, delivered.file_ids[:1], meta)
            return music.media.size

    async def _send_cached(self, request: SoundRequest) -> int | None:
        """The size sent when cached file ids answered; None when there is no (working) cache entry."""
        cached = await self._services.cached(request.video_id, MUSIC_CACHE)
        if cached is None:
            return None
        meta = cached.meta
        payload = AudioPayload(
            file=cached.file_ids[0],
            title=meta.get("title"),
            performer=meta.get("author"),
            duration=meta.get("duration"),
        )
        sending = self._services.sender.send_audio(request.chat_id, payload, reply_to_message=request.message_id)
        if not await self._services.sent_by_file_ids(request.video_id, MUSIC_CACHE, sending):
            return None
        return int(meta.get("size") or 0)

    async def _set_button(self, request: SoundRequest, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await self._services.bot.edit_message_reply_markup(
                chat_id=request.chat_id, message_id=request.message_id, reply_markup=markup
            )
        except TelegramAPIError as error:  # e.g. the message was deleted meanwhile
            logger.debug("sound button of message %s not updated: %s", request.message_id, error)

    async def _record(
        self, request: SoundRequest, started: float, outcome: str, kind: str | None, size: int | None
    ) -> None:
        await self._services.record_music(
            request.chat_id, request.video_id, started=started, outcome=outcome, error_kind=kind, size=size
        )
