"""Where a delivery goes: the steps the pipeline needs from a chat reply or an inline message.

A destination shows progress, puts media in place (a fresh upload or cached file ids alike) and tells
the user about a failure in its own way. The pipeline never asks which destination it has.
"""

from __future__ import annotations

from typing import Protocol

from data.kinds import DeliverySource, ErrorKind
from misc.delivery.captions import PostCaption
from misc.telegram.media_sender import AudioPayload, Delivered, FileRef, VideoPayload


class Destination(Protocol):
    source: DeliverySource
    # File mode sends original files (`sendDocument`): they are cached under their own kinds.
    file_mode: bool
    # How many images of a slideshow it shows; None: every image.
    image_limit: int | None

    def accepted(self) -> None: ...

    def sending(self) -> None: ...

    async def succeeded(self) -> None: ...

    async def failed(self, kind: ErrorKind) -> None: ...

    async def before_download(self) -> None:
        """Raise when a fresh download could not be delivered here anyway (nothing is downloaded then)."""

    async def send_video(self, video: VideoPayload, caption: PostCaption, post_id: str) -> Delivered: ...

    async def send_slideshow(
        self, images: list[FileRef], caption: PostCaption, post_id: str, *, total: int
    ) -> Delivered: ...


class SoundDestination(Destination, Protocol):
    async def send_audio(self, audio: AudioPayload) -> Delivered: ...


class QuietProgress:
    """For destinations that show no progress of their own (an inline message, a pressed sound button)."""

    __slots__ = ()

    def accepted(self) -> None:
        return None

    def sending(self) -> None:
        return None

    async def succeeded(self) -> None:
        return None
