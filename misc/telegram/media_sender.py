"""The one place that turns posts into Telegram messages and gives back the file ids Telegram assigned.

Builders make what a send needs (`InputFile`s, thumbnails, album items) from a fresh download or from
cached file ids; senders put them into any chat (a user's chat, or the storage channel of inline mode)
and return `Delivered` (file ids for the media cache, the messages sent). Replies always carry
`allow_sending_without_reply`: a user who deleted their message still gets the result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    EphemeralMessageParameters,
    FSInputFile,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)

from misc.telegram.thumbnails import Thumbnailer
from tiktok_api.models import MediaFile, MusicInfo, VideoInfo

logger = logging.getLogger("tt-bot.sender")

# Telegram: an album holds 2-10 items; a single item goes as a plain photo or document.
ALBUM_SIZE = 10
THUMBNAIL_NAME = "thumbnail.jpg"
COVER_NAME = "cover.jpg"

FileRef: TypeAlias = InputFile | str  # something to upload, or a Telegram file id
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Delivered:
    file_ids: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VideoPayload:
    file: FileRef
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    thumbnail: InputFile | None = None
    cover: InputFile | None = None  # Bot API 8.3: the frame the chat shows before playing
    has_sound: bool = True  # False: a silent video of a post without a sound gets no sound button


@dataclass(frozen=True, slots=True)
class AudioPayload:
    file: FileRef
    title: str | None = None
    performer: str | None = None
    duration: int | None = None
    thumbnail: InputFile | None = None


def input_file(media: MediaFile) -> InputFile:
    """Bytes held in memory are sent as they are; big media are streamed from their temp file."""
    if media.path is not None:
        return FSInputFile(media.path, filename=media.filename)
    return BufferedInputFile(media.read_bytes(), filename=media.filename)


def reply_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def chunks(items: Sequence[Item], size: int = ALBUM_SIZE) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


class MediaSender:
    def __init__(self, bot: Bot, thumbnailer: Thumbnailer) -> None:
        self._bot = bot
        self._thumbnailer = thumbnailer

    # --- builders ---
    async def thumbnail(self, image: bytes | None) -> InputFile | None:
        data = await self._thumbnailer.thumbnail(image)
        return BufferedInputFile(data, filename=THUMBNAIL_NAME) if data else None

    async def video_payload(self, info: VideoInfo) -> VideoPayload:
        return VideoPayload(
            file=input_file(info.media),
            width=info.width or None,
            height=info.height or None,
            duration=info.duration or None,
            thumbnail=await self.thumbnail(info.cover),
            cover=BufferedInputFile(info.cover, filename=COVER_NAME) if info.cover else None,
            has_sound=info.has_sound,
        )

    async def audio_payload(self, music: MusicInfo) -> AudioPayload:
        return AudioPayload(
            file=input_file(music.media),
            title=music.title or None,
            performer=music.author or None,
            duration=music.duration or None,
            thumbnail=await self.thumbnail(music.cover),
        )

    # --- senders ---
    async def send_video(
        self,
        chat_id: int,
        video: VideoPayload,
        *,
        caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to_message: int | None = None,
    ) -> Delivered:
        message = await self._bot.send_video(
            chat_id,
            video.file,
            width=video.width,
            height=video.height,
            duration=video.duration,
            thumbnail=video.thumbnail,
            cover=video.cover,
            supports_streaming=True,
            caption=caption,
            reply_markup=reply_markup,
            reply_parameters=reply_to(reply_to_message),
        )
        return _delivered([message], [_video_file_id(message)])

    async def send_document(
        self,
        chat_id: int,
        document: FileRef,
        *,
        caption: str | None = None,
        thumbnail: InputFile | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to_message: int | None = None,
    ) -> Delivered:
        message = await self._bot.send_document(
            chat_id,
            document,
            caption=caption,
            thumbnail=thumbnail,
            disable_content_type_detection=True,
            reply_markup=reply_markup,
            reply_parameters=reply_to(reply_to_message),
        )
        return _delivered([message], [_document_file_id(message)])

    async def send_photos(
        self, chat_id: int, photos: Sequence[FileRef], *, reply_to_message: int | None = None
    ) -> Delivered:
        """Albums of up to 10 photos in order (13 → 10 + 3); a lone photo goes as a plain photo."""
        messages: list[Message] = []
        for group in chunks(photos):
            if len(group) == 1:
                messages.append(
                    await self._bot.send_photo(chat_id, group[0], reply_parameters=reply_to(reply_to_message))
                )
                continue
            album = [InputMediaPhoto(media=photo) for photo in group]
            messages.extend(
                await self._bot.send_media_group(chat_id, album, reply_parameters=reply_to(reply_to_message))
            )
        return _delivered(messages, [_photo_file_id(message) for message in messages])

    async def send_documents(
        self, chat_id: int, documents: Sequence[FileRef], *, reply_to_message: int | None = None
    ) -> Delivered:
        """Original files (file mode), grouped like photos."""
        messages: list[Message] = []
        for group in chunks(documents):
            if len(group) == 1:
                sent = await self.send_document(chat_id, group[0], reply_to_message=reply_to_message)
                messages.extend(sent.messages)
                continue
            album = [InputMediaDocument(media=document) for document in group]
            messages.extend(
                await self._bot.send_media_group(chat_id, album, reply_parameters=reply_to(reply_to_message))
            )
        return _delivered(messages, [_document_file_id(message) for message in messages])

    async def send_audio(
        self,
        chat_id: int,
        audio: AudioPayload,
        *,
        caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to_message: int | None = None,
    ) -> Delivered:
        message = await self._bot.send_audio(
            chat_id,
            audio.file,
            title=audio.title,
            performer=audio.performer,
            duration=audio.duration,
            thumbnail=audio.thumbnail,
            caption=caption,
            reply_markup=reply_markup,
            reply_parameters=reply_to(reply_to_message),
        )
        return _delivered([message], [_audio_file_id(message)])

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to_message: int | None = None,
    ) -> Message:
        return await self._bot.send_message(
            chat_id,
            text,
            reply_markup=reply_markup,
            reply_parameters=reply_to(reply_to_message),
            link_preview_options=_NO_PREVIEW,
        )

    async def send_private_note(
        self, chat_id: int, receiver_user_id: int, text: str, *, reply_to_message: int | None = None
    ) -> bool:
        """A message in a group that only `receiver_user_id` sees (Bot API 10.2 ephemeral messages).

        False when Telegram refuses it (400: not allowed there, the user left, the message replied to is
        gone; 403): the caller has then said all it can, e.g. with a reaction."""
        try:
            await self._bot.send_message(
                chat_id,
                text,
                ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=receiver_user_id),
                # Telegram treats allow_sending_without_reply as False for ephemeral messages.
                reply_parameters=ReplyParameters(message_id=reply_to_message) if reply_to_message else None,
                link_preview_options=_NO_PREVIEW,
            )
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            logger.info("private note to user %s in chat %s refused: %s", receiver_user_id, chat_id, error.message)
            return False
        return True


def _delivered(messages: list[Message], file_ids: list[str | None]) -> Delivered:
    return Delivered(file_ids=[file_id for file_id in file_ids if file_id], messages=messages)


def _video_file_id(message: Message) -> str | None:
    # Telegram may turn a tiny or odd video into an animation or a document.
    media = message.video or message.animation or message.document
    return media.file_id if media else None


def _document_file_id(message: Message) -> str | None:
    media = message.document or message.video or message.audio or message.animation
    return media.file_id if media else None


def _photo_file_id(message: Message) -> str | None:
    return message.photo[-1].file_id if message.photo else None


def _audio_file_id(message: Message) -> str | None:
    media = message.audio or message.voice or message.document
    return media.file_id if media else None
