"""What the fake TikTok serves: media blobs on CDN paths, posts with their pre-rendered pages, short links."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_CHUNK_SIZE = 256 * 1024


@dataclass(frozen=True, slots=True)
class Blob:
    """Bytes a CDN serves: held in memory, or streamed from a generator (`stream(start)`)."""

    content_type: str
    size: int
    data: bytes | None = None
    stream: Callable[[int], Iterator[bytes]] | None = None

    @classmethod
    def of(cls, data: bytes, content_type: str) -> Blob:
        return cls(content_type=content_type, size=len(data), data=data)

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes in [start, end) in pieces of at most 256 KiB."""
        end = self.size if end is None else min(end, self.size)
        if self.data is not None:
            view = memoryview(self.data)
            for offset in range(start, end, _CHUNK_SIZE):
                yield bytes(view[offset : min(offset + _CHUNK_SIZE, end)])
            return
        assert self.stream is not None
        position = start
        for piece in self.stream(start):
            if position >= end:
                return
            piece = piece[: end - position]
            position += len(piece)
            yield piece

    def read(self) -> bytes:
        return self.data if self.data is not None else b"".join(self.chunks())

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for piece in self.chunks():
            digest.update(piece)
        return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class CdnObject:
    blob: Blob
    requires_chain_token: bool  # the video CDN answers 403 without the page's tt_chain_token cookie


@dataclass(slots=True)
class Music:
    id: str
    title: str
    author: str
    duration: int
    audio: Blob | None  # None: a sound without a playable URL
    url: str | None = None  # set when a post publishes it
    cover_url: str | None = None


@dataclass(slots=True)
class SlideImage:
    heic: Blob
    plain: Blob  # JPEG, or the PNG given
    width: int
    height: int
    heic_url: str = ""
    plain_url: str = ""

    @property
    def urls(self) -> list[str]:
        """The order the page lists them in is the post's choice (heic_first)."""
        return [self.heic_url, self.plain_url]


class WafMode(enum.Enum):
    NONE = "none"
    ONCE = "once"  # a proof-of-work challenge that a solution cookie passes
    FOREVER = "forever"  # the challenge never passes


@dataclass(slots=True)
class Post:
    """One post as the page shows it. `page` is rendered once when the post is added."""

    id: str
    kind: str  # "video", "slideshow", "status", "login_redirect", "age_restricted", "waf_forever"
    author: str
    url: str  # canonical https://www.tiktok.com/@author/video/<id>
    status_code: int = 0
    desc: str = ""
    page: bytes = b""
    item: dict[str, Any] = field(default_factory=dict)  # the itemStruct (empty for status pages)
    waf: WafMode = WafMode.NONE
    login_redirect: bool = False
    h264: Blob | None = None  # what playAddr and the h264 bitrateInfo entry serve
    bytevc1: Blob | None = None
    watermarked: Blob | None = None  # what downloadAddr serves; a client must never deliver it
    play_url: str | None = None
    h264_urls: list[str] = field(default_factory=list)
    bytevc1_urls: list[str] = field(default_factory=list)
    download_url: str | None = None
    cover: Blob | None = None
    cover_url: str | None = None
    music: Music | None = None
    images: list[SlideImage] = field(default_factory=list)
    renditions: dict[str, Blob] = field(default_factory=dict)  # "h264_720p" → what its bitrateInfo entry serves

    @property
    def photo_url(self) -> str:
        return self.url.replace("/video/", "/photo/")


@dataclass(frozen=True, slots=True)
class ShortLink:
    code: str
    host: str
    target: str
    status: int = 301


class Catalog:
    """Everything the web app looks up: posts by id, CDN objects by (host, path), short links."""

    def __init__(self) -> None:
        self.posts: dict[str, Post] = {}
        self.cdn: dict[tuple[str, str], CdnObject] = {}
        self.short_links: dict[tuple[str, str], ShortLink] = {}

    def publish(self, host: str, path: str, blob: Blob, *, requires_chain_token: bool = False) -> None:
        self.cdn[(host, path)] = CdnObject(blob=blob, requires_chain_token=requires_chain_token)

    def add_post(self, post: Post) -> Post:
        self.posts[post.id] = post
        return post

    def add_short_link(self, link: ShortLink) -> None:
        self.short_links[(link.host, link.code)] = link
