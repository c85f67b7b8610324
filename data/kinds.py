"""The typed names that travel from a delivery to its row, its cache entry and its locale key.

Values are stored in the database and read by operators' scripts (DESIGN.md §5): keep them.
"""

from __future__ import annotations

from enum import StrEnum

# `users.video_quality` and part of the media cache key; the client chooses renditions by it.
from tiktok_api.quality import VideoQuality as VideoQuality


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"


class MediaKind(StrEnum):
    """What a delivery row counts: `videos.kind` (video, slideshow) and `music.kind` (music)."""

    VIDEO = "video"
    SLIDESHOW = "slideshow"
    MUSIC = "music"
    SLIDESHOW_VIDEO = "slideshow_video"  # a slideshow rendered as one video (the "🎬 Video" button)


class DeliverySource(StrEnum):
    """Which door a delivery came through: `videos.source` and `music.source`."""

    CHAT = "chat"
    INLINE = "inline"
    GUEST = "guest"


class CacheKind(StrEnum):
    """`media_cache.kind`: the same post sent as media and as original files (file mode) has two entries."""

    VIDEO = "video"
    VIDEO_DOCUMENT = "video_document"
    SLIDESHOW = "slideshow"
    SLIDESHOW_DOCUMENT = "slideshow_document"
    MUSIC = "music"
    SLIDESHOW_VIDEO = "slideshow_video"


# `media_cache.quality` of kinds that have no renditions to choose from (slideshows, sounds).
ANY_QUALITY = "any"
# Kinds whose file ids differ by the chat's quality: a saver chat must never get a best-quality file id.
QUALITY_CACHE_KINDS = frozenset({CacheKind.VIDEO, CacheKind.VIDEO_DOCUMENT})


def cache_quality(kind: str, quality: str | None = None) -> str:
    """The `media_cache.quality` key of an entry: the quality for video kinds (best when not told), else any."""
    if kind not in QUALITY_CACHE_KINDS:
        return ANY_QUALITY
    return quality or VideoQuality.BEST


class VideoCodec(StrEnum):
    """`videos.codec` as the probe of a downloaded file names it."""

    H264 = "h264"
    HEVC = "hevc"


# Names HEVC goes by (ffmpeg, MP4 sample entries, TikTok's own); the stats count any of them as HEVC.
HEVC_NAMES = frozenset({VideoCodec.HEVC, "h265", "hvc1", "hev1", "bytevc1"})


class ErrorKind(StrEnum):
    """`error_kind` of a failed delivery and the locale key `error_<kind>` that tells the user why.

    The TikTok kinds mirror `tiktok_api.exceptions` (which knows nothing of this module)."""

    INVALID_LINK = "invalid_link"
    DELETED = "deleted"
    PRIVATE = "private"
    REGION = "region"
    LOGIN_REQUIRED = "login_required"
    RATE_LIMITED = "rate_limited"
    NETWORK = "network"
    EXTRACTION = "extraction"
    TOO_LONG = "too_long"
    TOO_LARGE = "too_large"
    SEND_FAILED = "send_failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"


# TikTok's answers about the post itself: its page was read. The stats show them apart from `extraction`
# (pages not read: what TikTok changing its site looks like) and from network trouble.
CONTENT_ANSWERS = frozenset(
    {
        ErrorKind.DELETED,
        ErrorKind.PRIVATE,
        ErrorKind.REGION,
        ErrorKind.LOGIN_REQUIRED,
        ErrorKind.TOO_LONG,
        ErrorKind.TOO_LARGE,
    }
)
