"""What the client returns: posts with their media, which own their bytes or temporary files."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from tiktok_api.probe import MediaProbe


class _Closing:
    """`with info:` closes it on the way out."""

    __slots__ = ()

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(slots=True)
class MediaFile(_Closing):
    """Media held in memory (`data`) or in a temporary file (`path`) that `close()` deletes."""

    size: int
    data: bytes | None = None
    path: Path | None = None
    filename: str = "video.mp4"
    mime_type: str = "video/mp4"

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError("media file was closed")
        return self.path.read_bytes()

    def close(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.path = None


@dataclass(slots=True)
class VideoInfo(_Closing):
    id: str
    url: str  # canonical https://www.tiktok.com/@author/video/<id>
    description: str
    author: str  # uniqueId
    author_name: str  # nickname
    width: int
    height: int
    duration: int  # seconds
    cover: bytes | None  # JPEG, for the thumbnail
    media: MediaFile  # H.264 MP4, never the watermarked download
    music_title: str | None = None
    music_author: str | None = None
    probe: MediaProbe | None = None  # what the file really holds; None when it could not be read
    has_music: bool = True  # the post names a sound TikTok can serve on its own

    @property
    def has_sound(self) -> bool:
        """Something worth a sound button: an audio track (assumed when unknown) or the post's sound."""
        return self.has_music or self.probe is None or self.probe.has_audio

    def close(self) -> None:
        self.media.close()


@dataclass(slots=True)
class SlideshowInfo(_Closing):
    id: str
    url: str
    description: str
    author: str
    author_name: str
    images: list[MediaFile] = field(default_factory=list)  # JPEG (HEIC converted) or PNG, in order
    music_title: str | None = None
    music_author: str | None = None

    def close(self) -> None:
        for image in self.images:
            image.close()


@dataclass(slots=True)
class MusicInfo(_Closing):
    id: str  # the post id
    title: str
    author: str
    duration: int
    cover: bytes | None
    media: MediaFile  # "<title>.mp3" (audio/mpeg) or "<title>.m4a" (audio/mp4), by its bytes

    def close(self) -> None:
        self.media.close()


@dataclass(frozen=True, slots=True)
class PostCheck:
    """A post whose page was read, without its media (`TikTokClient.check`)."""

    id: str
    url: str
    author: str  # uniqueId
    is_slideshow: bool
