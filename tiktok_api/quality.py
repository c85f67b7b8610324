"""Which of a post's renditions to download, by the chat's choice of quality.

TikTok offers a video in several renditions (H.264 and HEVC, 540p to 1080p). H.264 plays everywhere;
HEVC shows grey frames on many phones, so it is taken only when a post has no H.264 rendition at all.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tiktok_api.post import fitting_formats, format_size, known_size, video_formats

BALANCED_MAX_LINES = 720  # "720p": the short side of a portrait or landscape frame


class VideoQuality(StrEnum):
    """Stored as `users.video_quality` and part of the media cache key: keep the values."""

    BEST = "best"  # the highest-resolution rendition that fits the upload limit
    BALANCED = "balanced"  # the highest one of at most 720p
    SAVER = "saver"  # the smallest file


def _lines(video_format: dict[str, Any]) -> int:
    width, height = format_size(video_format)
    return min(width, height) if width and height else max(width, height)


def _sharpest_first(video_format: dict[str, Any]) -> tuple[int, bool]:
    return _lines(video_format), known_size(video_format) is not None  # a known size is checked up front


def _smallest_first(video_format: dict[str, Any]) -> tuple[bool, int, int]:
    size = known_size(video_format)
    return size is None, size or 0, _lines(video_format)


def choose_formats(formats: list[dict[str, Any]], quality: VideoQuality, max_size: int) -> list[dict[str, Any]]:
    """The formats to try in order (a retry takes the next: the backup URL, then the next rendition);
    empty when none fits `max_size`. yt-dlp lists each rendition's URLs together; sorting keeps that."""
    fitting = fitting_formats(video_formats(formats), max_size)
    if quality is VideoQuality.SAVER:
        return sorted(fitting, key=_smallest_first)
    ranked = sorted(fitting, key=_sharpest_first, reverse=True)
    if quality is VideoQuality.BALANCED:
        within = [video_format for video_format in ranked if 0 < _lines(video_format) <= BALANCED_MAX_LINES]
        smaller = sorted((f for f in ranked if f not in within), key=_smallest_first)
        return within + smaller
    return ranked
