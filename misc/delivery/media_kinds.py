"""What a door can ask for: a post (its video or slideshow, whichever it is), a post's sound, or a
slideshow rendered as one video.

Each knows its media-cache kinds, how to fetch it from TikTok, and how a destination sends it from
cached file ids or from a fresh download. The pipeline runs the same steps for every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from data.kinds import CacheKind, MediaKind
from data.repositories.media_cache import CachedMedia
from misc.delivery.captions import PostCaption
from misc.delivery.destination import Destination, SoundDestination
from misc.delivery.post_meta import cached_probe, has_every_image, slideshow_meta, slideshow_size, video_meta
from misc.telegram.media_sender import AudioPayload, FileRef, MediaSender, VideoPayload, input_file
from tiktok_api.client import TikTokClient
from tiktok_api.models import MusicInfo, SlideshowInfo, VideoInfo
from tiktok_api.probe import MediaProbe
from tiktok_api.quality import VideoQuality

Target = TypeVar("Target", bound=Destination, contravariant=True)
Fetched = TypeVar("Fetched", bound=VideoInfo | SlideshowInfo | MusicInfo)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    kind: CacheKind
    file_ids: list[str]
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sent:
    """What went out: the row's kind and size, and what the media cache should remember (if anything)."""

    kind: MediaKind
    size: int | None
    entry: CacheEntry | None = None
    probe: MediaProbe | None = None  # a video's codec, height and audio track, for its delivery row


def _cached_video(cached: CachedMedia) -> VideoPayload:
    meta = cached.meta
    return VideoPayload(
        file=cached.file_ids[0], width=meta.get("width"), height=meta.get("height"), duration=meta.get("duration"),
        has_sound=meta.get("has_sound", True),
    )  # fmt: skip


class Media(Protocol[Target, Fetched]):
    kind: MediaKind  # what a delivery row says before the post is known
    fetch_timeout: float

    def cache_kinds(self, destination: Target) -> tuple[CacheKind, ...]: ...

    async def send_cached(self, destination: Target, kind: CacheKind, cached: CachedMedia, post_id: str) -> Sent | None:
        """None when this entry cannot serve the destination (then the post is downloaded)."""

    async def fetch(self, tiktok: TikTokClient, link: str, post_id: str, quality: VideoQuality) -> Fetched: ...

    async def send_fresh(self, destination: Target, fetched: Fetched) -> Sent: ...


class PostMedia:
    """A post's video or slideshow, cached as media or, in file mode, as original files."""

    kind = MediaKind.VIDEO
    fetch_timeout = 240.0

    def __init__(self, sender: MediaSender) -> None:
        self._sender = sender

    def cache_kinds(self, destination: Destination) -> tuple[CacheKind, CacheKind]:
        if destination.file_mode:
            return CacheKind.VIDEO_DOCUMENT, CacheKind.SLIDESHOW_DOCUMENT
        return CacheKind.VIDEO, CacheKind.SLIDESHOW

    async def send_cached(
        self, destination: Destination, kind: CacheKind, cached: CachedMedia, post_id: str
    ) -> Sent | None:
        caption, meta = PostCaption.from_meta(cached.meta), cached.meta
        if kind in (CacheKind.SLIDESHOW, CacheKind.SLIDESHOW_DOCUMENT):
            if destination.image_limit is None and not has_every_image(cached):
                return None  # cached from a group (first images only): this destination shows every image
            images: list[FileRef] = list(cached.file_ids)
            await destination.send_slideshow(images, caption, post_id, total=len(images))
            return Sent(MediaKind.SLIDESHOW, meta.get("size"))
        await destination.send_video(_cached_video(cached), caption, post_id)
        return Sent(MediaKind.VIDEO, meta.get("size"), probe=cached_probe(meta))

    async def fetch(
        self, tiktok: TikTokClient, link: str, post_id: str, quality: VideoQuality
    ) -> VideoInfo | SlideshowInfo:
        return await tiktok.video(link, quality)

    async def send_fresh(self, destination: Destination, fetched: VideoInfo | SlideshowInfo) -> Sent:
        video_kind, slideshow_kind = self.cache_kinds(destination)
        caption = PostCaption.from_post(fetched)
        if isinstance(fetched, SlideshowInfo):
            shown = fetched.images[: destination.image_limit]
            images: list[FileRef] = [input_file(image) for image in shown]
            delivered = await destination.send_slideshow(images, caption, fetched.id, total=len(fetched.images))
            complete = len(delivered.file_ids) == len(fetched.images)
            entry = CacheEntry(slideshow_kind, delivered.file_ids, slideshow_meta(fetched)) if complete else None
            return Sent(MediaKind.SLIDESHOW, slideshow_size(fetched), entry)
        video = await self._sender.video_payload(fetched)
        delivered = await destination.send_video(video, caption, fetched.id)
        entry = CacheEntry(video_kind, delivered.file_ids, video_meta(fetched))
        return Sent(MediaKind.VIDEO, fetched.media.size, entry, probe=fetched.probe)


class SoundMedia:
    """A post's sound, sent as audio with its title, performer and cover."""

    kind = MediaKind.MUSIC
    fetch_timeout = 180.0

    def __init__(self, sender: MediaSender) -> None:
        self._sender = sender

    def cache_kinds(self, destination: SoundDestination) -> tuple[CacheKind]:
        return (CacheKind.MUSIC,)

    async def send_cached(
        self, destination: SoundDestination, kind: CacheKind, cached: CachedMedia, post_id: str
    ) -> Sent | None:
        meta = cached.meta
        audio = AudioPayload(
            file=cached.file_ids[0],
            title=meta.get("title"),
            performer=meta.get("author"),
            duration=meta.get("duration"),
        )
        await destination.send_audio(audio)
        return Sent(MediaKind.MUSIC, int(meta.get("size") or 0))

    async def fetch(self, tiktok: TikTokClient, link: str, post_id: str, quality: VideoQuality) -> MusicInfo:
        return await tiktok.music(post_id)

    async def send_fresh(self, destination: SoundDestination, fetched: MusicInfo) -> Sent:
        delivered = await destination.send_audio(await self._sender.audio_payload(fetched))
        meta = {
            "title": fetched.title,
            "author": fetched.author,
            "duration": fetched.duration,
            "size": fetched.media.size,
        }
        return Sent(MediaKind.MUSIC, fetched.media.size, CacheEntry(CacheKind.MUSIC, delivered.file_ids[:1], meta))


class SlideshowVideoMedia:
    """A slideshow rendered as one video (images and sound), cached by post id as its own kind."""

    kind = MediaKind.SLIDESHOW_VIDEO
    fetch_timeout = 300.0  # the download, then the rendering (TikTokClient bounds each)

    def __init__(self, sender: MediaSender) -> None:
        self._sender = sender

    def cache_kinds(self, destination: Destination) -> tuple[CacheKind]:
        return (CacheKind.SLIDESHOW_VIDEO,)

    async def send_cached(
        self, destination: Destination, kind: CacheKind, cached: CachedMedia, post_id: str
    ) -> Sent | None:
        meta = cached.meta
        await destination.send_video(_cached_video(cached), PostCaption.from_meta(meta), post_id)
        return Sent(self.kind, meta.get("size"), probe=cached_probe(meta))

    async def fetch(self, tiktok: TikTokClient, link: str, post_id: str, quality: VideoQuality) -> VideoInfo:
        return await tiktok.slideshow_video(post_id)

    async def send_fresh(self, destination: Destination, fetched: VideoInfo) -> Sent:
        delivered = await destination.send_video(
            await self._sender.video_payload(fetched), PostCaption.from_post(fetched), fetched.id
        )
        entry = CacheEntry(CacheKind.SLIDESHOW_VIDEO, delivered.file_ids, video_meta(fetched))
        return Sent(self.kind, fetched.media.size, entry, probe=fetched.probe)
