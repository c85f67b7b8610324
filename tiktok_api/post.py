"""Reading a post's page data: who posted it, which media it has and where they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tiktok_api.links import canonical_url


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _integer(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


@dataclass(frozen=True, slots=True)
class PostMeta:
    id: str
    author: str  # uniqueId
    author_name: str  # nickname
    description: str
    music_title: str | None
    music_author: str | None

    @classmethod
    def read(cls, post_id: str, data: dict[str, Any]) -> PostMeta:
        author = _dict(data.get("author"))
        music = _dict(data.get("music"))
        return cls(
            id=post_id,
            author=_text(author.get("uniqueId")),
            author_name=_text(author.get("nickname")),
            description=_text(data.get("desc")),
            music_title=_text(music.get("title")) or None,
            music_author=_text(music.get("authorName")) or None,
        )

    @property
    def url(self) -> str:
        return canonical_url(self.id, self.author)


@dataclass(frozen=True, slots=True)
class Sound:
    url: str
    title: str
    author: str
    duration: int
    cover_url: str | None


def image_url_lists(data: dict[str, Any]) -> list[list[str]]:
    """Each slideshow image's URLs in TikTok's order (often HEIC first); empty for a video."""
    images = _dict(data.get("imagePost")).get("images")
    if not isinstance(images, list):
        return []
    url_lists = []
    for image in images:
        urls = _dict(_dict(image).get("imageURL")).get("urlList")
        usable = [url for url in urls if _url(url)] if isinstance(urls, list) else []
        if usable:
            url_lists.append(usable)
    return url_lists


def video_duration(data: dict[str, Any]) -> int:
    return _integer(_dict(data.get("video")).get("duration"))


def video_size(data: dict[str, Any]) -> tuple[int, int]:
    video = _dict(data.get("video"))
    return _integer(video.get("width")), _integer(video.get("height"))


def cover_url(data: dict[str, Any]) -> str | None:
    video = _dict(data.get("video"))
    return _url(video.get("cover")) or _url(video.get("originCover"))


def sound(data: dict[str, Any]) -> Sound | None:
    music = _dict(data.get("music"))
    url = _url(music.get("playUrl"))
    if url is None:
        return None
    return Sound(
        url=url,
        title=_text(music.get("title")),
        author=_text(music.get("authorName")),
        duration=_integer(music.get("duration")),
        cover_url=_url(music.get("coverLarge")) or _url(music.get("coverMedium")) or _url(music.get("coverThumb")),
    )


def is_h264(video_format: dict[str, Any]) -> bool:
    return _text(video_format.get("vcodec")).startswith(("h264", "avc"))


def _is_watermark_free_video(video_format: dict[str, Any]) -> bool:
    # `download` is TikTok's watermarked rendition; bytevc2 is marked UNPLAYABLE by yt-dlp.
    return (
        video_format.get("format_id") != "download"
        and _text(video_format.get("vcodec")) not in ("", "none")
        and _text(video_format.get("format_note")) not in ("watermarked", "UNPLAYABLE")
        and _url(video_format.get("url")) is not None
    )


def _quality(video_format: dict[str, Any]) -> tuple[int, int, bool]:
    return (
        _integer(video_format.get("height")),
        _integer(video_format.get("width")),
        video_format.get("filesize") is not None,  # a known size is checked before downloading
    )


def video_formats(formats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Formats to download, best first: the H.264 ones, other codecs only when there is no H.264 at all;
    never the watermarked one."""
    usable = [video_format for video_format in formats if _is_watermark_free_video(video_format)]
    h264 = [video_format for video_format in usable if is_h264(video_format)]
    return sorted(h264 or usable, key=_quality, reverse=True)


def format_size(video_format: dict[str, Any]) -> tuple[int, int]:
    """Width and height of a format (0 when yt-dlp could not tell)."""
    return _integer(video_format.get("width")), _integer(video_format.get("height"))


def known_size(video_format: dict[str, Any]) -> int | None:
    size = video_format.get("filesize")
    return size if isinstance(size, int) and size > 0 else None


def fitting_formats(formats: list[dict[str, Any]], max_size: int) -> list[dict[str, Any]]:
    """The formats that may fit `max_size`; none when every format of known size is larger.

    Formats of unknown size (`play`) are the same renditions as the sized ones, so they are only
    tried when some sized format fits or no format has a size at all.
    """
    sizes = [size for video_format in formats if (size := known_size(video_format)) is not None]
    if sizes and min(sizes) > max_size:
        return []
    return [video_format for video_format in formats if (known_size(video_format) or 0) <= max_size]
