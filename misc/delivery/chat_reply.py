"""The destination of links in chats and of sound presses: replies in the chat the request came from.

Progress shows as reactions on the message replied to (👀, 👨‍💻, cleared or 😢); a failure is told by
the `FailureReporter` (a localized message in private chats; in groups 😢 and a note only the requester sees).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.enums import ChatType
from aiogram.types import InlineKeyboardMarkup

from data.kinds import DeliverySource, ErrorKind
from misc.delivery.captions import PostCaption
from misc.delivery.destination import QuietProgress
from misc.delivery.failures import FailureReporter
from misc.delivery.reply_order import ReplyTurn
from misc.delivery.services import DeliveryServices
from misc.telegram.keyboards import music_keyboard
from misc.telegram.media_sender import AudioPayload, Delivered, FileRef, VideoPayload
from misc.telegram.reactions import StatusDisplay

# Groups get at most one album; private chats get every image.
GROUP_IMAGE_LIMIT = 10


@dataclass(slots=True)
class ChatReply:
    """Replies to `reply_to` (the user's message with the link, or the bot's message with the button)."""

    services: DeliveryServices
    failures: FailureReporter
    chat_id: int
    chat_type: str
    reply_to: int
    lang: str
    status: StatusDisplay  # usually reactions on `reply_to`
    file_mode: bool = False
    caption_description: bool = True  # off: captions leave the post's description out
    source: DeliverySource = DeliverySource.CHAT
    turn: ReplyTurn | None = None  # one of several links of a message: shows nothing before the previous one
    requester_user_id: int | None = None  # in groups, who is told privately why a delivery failed

    @property
    def is_private(self) -> bool:
        return self.chat_type == ChatType.PRIVATE

    @property
    def image_limit(self) -> int | None:
        return None if self.is_private else GROUP_IMAGE_LIMIT

    # --- progress ---
    def accepted(self) -> None:
        self.status.accepted()

    def sending(self) -> None:
        self.status.sending()

    async def succeeded(self) -> None:
        await self.status.succeeded()

    async def failed(self, kind: ErrorKind) -> None:
        await self._my_turn()
        await self.failures.report(
            chat_id=self.chat_id, chat_type=self.chat_type, lang=self.lang, kind=kind,
            status=self.status, reply_to_message=self.reply_to, receiver_user_id=self.requester_user_id,
        )  # fmt: skip

    async def before_download(self) -> None:
        return None

    # --- media ---
    async def send_video(self, video: VideoPayload, caption: PostCaption, post_id: str) -> Delivered:
        sender = self.services.sender
        text = await self._caption(caption)
        keyboard = self._keyboard(post_id)
        await self._my_turn()
        if self.file_mode:
            return await sender.send_document(
                self.chat_id, video.file, thumbnail=video.thumbnail, caption=text, reply_markup=keyboard,
                reply_to_message=self.reply_to,
            )  # fmt: skip
        return await sender.send_video(
            self.chat_id, video, caption=text, reply_markup=keyboard, reply_to_message=self.reply_to
        )

    async def send_slideshow(
        self, images: list[FileRef], caption: PostCaption, post_id: str, *, total: int
    ) -> Delivered:
        """The images (albums of ≤10), then one message with the caption and the sound button."""
        sender = self.services.sender
        shown = images[: self.image_limit]
        await self._my_turn()
        send = sender.send_documents if self.file_mode else sender.send_photos
        delivered = await send(self.chat_id, shown, reply_to_message=self.reply_to)
        text = await self._caption(caption)
        if len(shown) < total:
            note = self.services.locales.text(self.lang, "group_images_note", shown=len(shown), total=total)
            text = f"{text}\n\n{note}"
        await sender.send_text(self.chat_id, text, reply_markup=self._keyboard(post_id), reply_to_message=self.reply_to)
        return delivered

    async def send_audio(self, audio: AudioPayload) -> Delivered:
        await self._my_turn()
        return await self.services.sender.send_audio(self.chat_id, audio, reply_to_message=self.reply_to)

    async def _caption(self, caption: PostCaption) -> str:
        shown = caption if self.caption_description else caption.without_description()
        return await self.services.render_caption(shown, self.lang)

    async def _my_turn(self) -> None:
        if self.turn is not None:
            await self.turn.wait_to_show()

    def _keyboard(self, post_id: str) -> InlineKeyboardMarkup:
        return music_keyboard(self.services.locales, self.lang, post_id)


class SoundReply(QuietProgress, ChatReply):
    """A sound press: the button being hidden is the progress; only a failure shows (😢 on the message)."""
