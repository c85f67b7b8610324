"""Captions of delivered posts, in HTML (the bot's default parse mode) with every user text escaped."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from typing import Any

from data.locales import Locales
from tiktok_api.models import SlideshowInfo, VideoInfo

# Telegram allows 1024 visible characters in a caption; the description gets what the rest leaves.
MAX_DESCRIPTION = 600
ELLIPSIS = "…"
PROFILE_URL = "https://www.tiktok.com/@{author}"


@dataclass(frozen=True, slots=True)
class PostCaption:
    """What a caption shows; built from a fresh download or from the media cache's `meta`."""

    url: str
    author: str
    description: str = ""

    @classmethod
    def from_post(cls, info: VideoInfo | SlideshowInfo) -> PostCaption:
        return cls(url=info.url, author=info.author, description=info.description)

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> PostCaption:
        return cls(url=meta.get("url", ""), author=meta.get("author", ""), description=meta.get("description", ""))

    def without_description(self) -> PostCaption:
        return replace(self, description="")

    def render(self, locales: Locales, lang: str, bot_tag: str) -> str:
        link = f'<a href="{escape(self.url)}">TikTok</a>'
        author = f'<a href="{escape(PROFILE_URL.format(author=self.author))}">@{escape(self.author)}</a>'
        lines = [locales.text(lang, "caption_video", link=link, author=author)]
        description = _shorten(self.description.strip(), MAX_DESCRIPTION)
        if description:
            lines.insert(0, escape(description) + "\n")
        if bot_tag:
            lines.append(escape(bot_tag))
        return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
