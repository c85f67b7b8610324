"""A TikTok client: videos without watermark, slideshows and sounds, through rotating proxies.

It knows nothing of Telegram or databases and could be published on its own. Names are imported on
first use, so that `tiktok_api.images` (loaded by image worker processes) does not pull in yt-dlp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tiktok_api.client import TikTokClient
    from tiktok_api.config import ClientConfig
    from tiktok_api.links import canonical_url, extract_post_id, find_links, is_tiktok_url
    from tiktok_api.models import MediaFile, MusicInfo, SlideshowInfo, VideoInfo
    from tiktok_api.probe import MediaProbe
    from tiktok_api.proxies import Proxy, ProxyRotation, ProxySession

_HOMES = {
    "TikTokClient": "tiktok_api.client",
    "ClientConfig": "tiktok_api.config",
    "canonical_url": "tiktok_api.links",
    "extract_post_id": "tiktok_api.links",
    "find_links": "tiktok_api.links",
    "is_tiktok_url": "tiktok_api.links",
    "MediaFile": "tiktok_api.models",
    "MediaProbe": "tiktok_api.probe",
    "MusicInfo": "tiktok_api.models",
    "SlideshowInfo": "tiktok_api.models",
    "VideoInfo": "tiktok_api.models",
    "Proxy": "tiktok_api.proxies",
    "ProxyRotation": "tiktok_api.proxies",
    "ProxySession": "tiktok_api.proxies",
}

__all__ = [
    "ClientConfig",
    "MediaFile",
    "MediaProbe",
    "MusicInfo",
    "Proxy",
    "ProxyRotation",
    "ProxySession",
    "SlideshowInfo",
    "TikTokClient",
    "VideoInfo",
    "canonical_url",
    "extract_post_id",
    "find_links",
    "is_tiktok_url",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tiktok_api' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
