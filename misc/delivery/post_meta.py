"""What the media cache keeps about a post besides its file ids (the `meta` of an entry).

Written when a fresh download goes out, read when cached file ids answer a repeat: the caption, the
video's dimensions and, for a slideshow, how many images the post has.
"""

from __future__ import annotations

from typing import Any

from data.repositories.media_cache import CachedMedia
from tiktok_api.models import SlideshowInfo, VideoInfo
from tiktok_api.probe import MediaProbe


def video_meta(info: VideoInfo) -> dict[str, Any]:
    probe = info.probe
    facts = {} if probe is None else {"codec": probe.codec, "has_audio": probe.has_audio}
    return _post_meta(
        info, size=info.media.size, width=info.width, height=info.height, duration=info.duration,
        has_sound=info.has_sound, **facts,
    )  # fmt: skip


def cached_probe(meta: dict[str, Any]) -> MediaProbe | None:
    """What the probe found when the cached file was downloaded (None for entries older than probing)."""
    if "has_audio" not in meta:
        return None
    width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
    return MediaProbe(codec=meta.get("codec"), width=width, height=height, has_audio=bool(meta["has_audio"]))


def slideshow_meta(info: SlideshowInfo) -> dict[str, Any]:
    return _post_meta(info, size=slideshow_size(info), image_count=len(info.images))


def slideshow_size(info: SlideshowInfo) -> int:
    return sum(image.size for image in info.images)


def has_every_image(cached: CachedMedia) -> bool:
    """False for a slideshow cached from a group's delivery, which sends only the first images."""
    return len(cached.file_ids) >= int(cached.meta.get("image_count", 0))


def _post_meta(info: VideoInfo | SlideshowInfo, **extra: Any) -> dict[str, Any]:
    return {
        "url": info.url,
        "author": info.author,
        "description": info.description,
        "music_title": info.music_title,
        "music_author": info.music_author,
        **extra,
    }
