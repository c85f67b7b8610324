"""The destination of inline mode (and guest mode): an inline message, filled by editing it.

Telegram cannot take a new upload into an inline message, so fresh media go to STORAGE_CHANNEL_ID first
and the message is then edited to them by file id; cached file ids are put in directly. A slideshow
shows one image at a time with ◀️ ▶️.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputMediaPhoto, InputMediaVideo

from data.kinds import DeliverySource, ErrorKind
from misc.delivery.captions import PostCaption
from misc.delivery.destination import QuietProgress
from misc.delivery.services import DeliveryServices
from misc.delivery.user_errors import ErrorTexts
from misc.telegram.inline_results import slide_keyboard
from misc.telegram.media_sender import Delivered, FileRef, VideoPayload

logger = logging.getLogger("tt-bot.inline")


class StorageChannelMissingError(RuntimeError):
    """STORAGE_CHANNEL_ID is not set: a post that is not cached yet cannot be shown inline."""


@dataclass(frozen=True, slots=True)
class Slide:
    media: InputMediaPhoto
    total: int


async def slide(services: DeliveryServices, file_ids: list[str], meta: dict[str, Any], index: int, lang: str) -> Slide:
    """Image `index` (wrapping around) of a slideshow, captioned like the post."""
    total = len(file_ids)
    caption = await services.render_caption(PostCaption.from_meta(meta), lang)
    return Slide(media=InputMediaPhoto(media=file_ids[index % total], caption=caption), total=total)


@dataclass(frozen=True, slots=True)
class InlineMessage(QuietProgress):
    services: DeliveryServices
    errors: ErrorTexts
    storage_chat_id: int | None
    inline_message_id: str
    lang: str
    source: DeliverySource = DeliverySource.INLINE
    file_mode: bool = False
    image_limit: int | None = None

    async def failed(self, kind: ErrorKind) -> None:
        await self.show_text(self.errors.text(self.lang, kind))

    async def before_download(self) -> None:
        if self.storage_chat_id is None:
            logger.warning("STORAGE_CHANNEL_ID is not set: inline mode can only offer cached posts")
            raise StorageChannelMissingError

    async def send_video(self, video: VideoPayload, caption: PostCaption, post_id: str) -> Delivered:
        text = await self.services.render_caption(caption, self.lang)
        delivered = await self._stored_video(video, text)
        media = InputMediaVideo(
            media=delivered.file_ids[0], caption=text, width=video.width, height=video.height,
            duration=video.duration, supports_streaming=True,
        )  # fmt: skip
        await self.services.bot.edit_message_media(media=media, inline_message_id=self.inline_message_id)
        return delivered

    async def send_slideshow(
        self, images: list[FileRef], caption: PostCaption, post_id: str, *, total: int
    ) -> Delivered:
        delivered = await self._stored_photos(images)
        media = InputMediaPhoto(
            media=delivered.file_ids[0], caption=await self.services.render_caption(caption, self.lang)
        )
        await self.services.bot.edit_message_media(
            media=media, inline_message_id=self.inline_message_id,
            reply_markup=slide_keyboard(post_id, 0, len(delivered.file_ids)),
        )  # fmt: skip
        return delivered

    async def show_text(self, text: str) -> None:
        try:
            await self.services.bot.edit_message_text(
                text=text, inline_message_id=self.inline_message_id, reply_markup=None
            )
        except TelegramBadRequest as error:
            logger.warning("inline message %s not updated: %s", self.inline_message_id, error.message)

    async def _stored_video(self, video: VideoPayload, caption: str) -> Delivered:
        if isinstance(video.file, str):
            return Delivered(file_ids=[video.file])
        return await self.services.sender.send_video(self._storage(), video, caption=caption)

    async def _stored_photos(self, images: list[FileRef]) -> Delivered:
        file_ids = [image for image in images if isinstance(image, str)]
        if len(file_ids) == len(images):
            return Delivered(file_ids=file_ids)
        return await self.services.sender.send_photos(self._storage(), images)

    def _storage(self) -> int:
        if self.storage_chat_id is None:
            raise StorageChannelMissingError
        return self.storage_chat_id
