"""A fake TikTok reached through local HTTP proxies, with a throw-away CA (contract: FAKE_TIKTOK.md).

Start it with `async with FakeTikTok(tmp_path, proxies=3) as tt`, add posts (`tt.add_video(...)`), put
`tt.env()` into os.environ and point a client at `tt.proxy_file` or `tt.proxies[i].url`.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from types import TracebackType

from aiohttp import web

from tests.fakes import media
from tests.fakes.proxy import FakeProxy, Gateway, ProxyConnection, ProxyMode, TunnelRegistry
from tests.fakes.tiktok_app import FakeTikTokApp
from tests.fakes.tiktok_content import Blob, Catalog, Music, Post, ShortLink, SlideImage, WafMode
from tests.fakes.tiktok_hosts import IMAGE_HOST, MUSIC_HOST, SHORT_LINK_HOSTS, VIDEO_BACKUP_HOST, VIDEO_HOST, WEB_HOST
from tests.fakes.tiktok_items import (
    BYTEVC1_720P,
    H264_540P,
    VideoLayout,
    age_restricted_item,
    bitrate_info_json,
    canonical_url,
    numeric_id,
    publish_image,
    publish_music,
    publish_video_rendition,
    slideshow_item,
    video_item,
)
from tests.fakes.tiktok_log import LoggedRequest, RequestLog
from tests.fakes.tiktok_pages import post_page, video_detail
from tests.fakes.tls import ServerCredentials, make_server_credentials

__all__ = [
    "IMAGE_HOST",
    "MUSIC_HOST",
    "SHORT_LINK_HOSTS",
    "VIDEO_BACKUP_HOST",
    "VIDEO_HOST",
    "WEB_HOST",
    "Blob",
    "FakeProxy",
    "FakeTikTok",
    "LoggedRequest",
    "Music",
    "Post",
    "ProxyConnection",
    "ProxyMode",
    "SlideImage",
]


def _image_type(data: bytes) -> str:
    if media.is_heic(data):
        return "image/heic"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    return "image/jpeg"


def _audio_type(data: bytes) -> str:
    is_mp3 = data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    return "audio/mpeg" if is_mp3 else "audio/mp4"


def _video_blob(data: bytes) -> Blob:
    return Blob.of(data, "video/mp4")


class FakeTikTok:
    def __init__(self, directory: Path, proxies: int = 1) -> None:
        self.directory = Path(directory)
        self.proxies: list[FakeProxy] = []
        self._proxy_count = proxies
        self._catalog = Catalog()
        self._tunnels = TunnelRegistry()
        self._log = RequestLog()
        self._app = FakeTikTokApp(self._catalog, self._tunnels, self._log)
        self._runner: web.AppRunner | None = None
        self._credentials: ServerCredentials | None = None
        self._music_ids = itertools.count(1)

    # --- lifecycle ---
    async def __aenter__(self) -> FakeTikTok:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        self._credentials = make_server_credentials(self.directory)
        # No listening sockets of its own: proxies hand accepted tunnels straight to the app's server.
        self._runner = web.AppRunner(self._app.build(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        assert self._runner.server is not None
        gateway = Gateway(
            protocol_factory=self._runner.server,
            tls_context=self._credentials.server_context(),
            tunnels=self._tunnels,
        )
        self.proxies = [FakeProxy(f"proxy{index}", gateway) for index in range(self._proxy_count)]
        for proxy in self.proxies:
            await proxy.start()
        self.proxy_file.write_text("".join(f"{proxy.url}\n" for proxy in self.proxies))

    async def stop(self) -> None:
        for proxy in self.proxies:
            await proxy.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- trust ---
    @property
    def ca_file(self) -> Path:
        assert self._credentials is not None, "start the fake first"
        return self._credentials.ca_file

    @property
    def proxy_file(self) -> Path:
        return self.directory / "proxies.txt"

    def env(self) -> dict[str, str]:
        """Environment variables that make yt-dlp (with compat_opts no-certifi), curl_cffi and ssl trust the CA."""
        ca = str(self.ca_file)
        return {"SSL_CERT_FILE": ca, "REQUESTS_CA_BUNDLE": ca, "CURL_CA_BUNDLE": ca}

    # --- content ---
    def music(
        self,
        title: str = "original sound",
        author: str = "",
        audio: bytes | None = None,
        duration: int = 1,
    ) -> Music:
        """A sound with a playUrl on the music CDN; `audio` defaults to a real 1-second MP3."""
        audio = media.mp3_bytes() if audio is None else audio
        return Music(
            id=numeric_id("music", next(self._music_ids)),
            title=title,
            author=author,
            duration=duration,
            audio=Blob.of(audio, _audio_type(audio)),
        )

    def silent_music(self, title: str = "original sound", author: str = "", duration: int = 0) -> Music:
        """A sound without a playUrl: a slideshow with it has no downloadable format at all."""
        return Music(id=numeric_id("music", next(self._music_ids)), title=title, author=author,
                     duration=duration, audio=None)  # fmt: skip

    def add_video(
        self,
        post_id: str,
        author: str = "alice",
        desc: str = "hello #fyp",
        video: bytes | None = None,
        width: int = 576,
        height: int = 1024,
        duration: int = 3,
        music: Music | None = None,
        cover: bytes | None = None,
        data_size_known: bool = True,
        nickname: str | None = None,
        bytevc1: bytes | None = None,
        watermarked: bytes | None = None,
    ) -> Post:
        """A video post; unset media default to the real fixture files of `tests.fakes.media`."""
        h264 = _video_blob(media.mp4_bytes() if video is None else video)
        return self._publish_video(
            post_id, author, desc, h264, VideoLayout(width, height, duration, data_size_known),
            music=music, cover=cover, nickname=nickname, bytevc1=bytevc1, watermarked=watermarked,
        )  # fmt: skip

    def add_large_video(
        self, post_id: str, size: int = 20 * 1024 * 1024, author: str = "alice", desc: str = "big one",
        duration: int = 3, data_size_known: bool = True,
    ) -> Post:  # fmt: skip
        """A video of exactly `size` bytes (`media.mp4_bytes(size)`), streamed, never held in memory."""
        h264 = Blob(
            content_type="video/mp4",
            size=media.mp4_size(size),
            stream=lambda start: media.mp4_chunks(size, start),
        )
        layout = VideoLayout(576, 1024, duration, data_size_known)
        return self._publish_video(post_id, author, desc, h264, layout)

    def _publish_video(
        self,
        post_id: str,
        author: str,
        desc: str,
        h264: Blob,
        layout: VideoLayout,
        *,
        music: Music | None = None,
        cover: bytes | None = None,
        nickname: str | None = None,
        bytevc1: bytes | None = None,
        watermarked: bytes | None = None,
    ) -> Post:
        catalog = self._catalog
        bytevc1_blob = _video_blob(media.mp4_bytevc1_bytes() if bytevc1 is None else bytevc1)
        watermarked_blob = _video_blob(media.mp4_watermarked_bytes() if watermarked is None else watermarked)
        cover_data = media.jpeg_bytes() if cover is None else cover
        cover_blob = Blob.of(cover_data, _image_type(cover_data))
        music = music or self.music(title=f"original sound - {author}", author=nickname or author,
                                    duration=layout.duration)  # fmt: skip
        publish_music(catalog, music, cover_blob)

        h264_urls = publish_video_rendition(catalog, post_id, H264_540P, h264, "h264")
        play_url = publish_video_rendition(catalog, post_id, None, h264, "play")[0]
        bytevc1_urls = publish_video_rendition(catalog, post_id, BYTEVC1_720P, bytevc1_blob, "bytevc1")
        download_url = publish_video_rendition(catalog, post_id, None, watermarked_blob, "watermarked")[0]
        cover_url = publish_image(catalog, cover_blob, post_id, "cover", template="tplv-tiktokx-cropcenter:300:400")
        bitrate_info = [
            bitrate_info_json(BYTEVC1_720P, bytevc1_urls, bytevc1_blob, post_id, layout),
            bitrate_info_json(H264_540P, h264_urls, h264, post_id, layout),
        ]
        item = video_item(
            post_id=post_id, author=author, nickname=nickname or author, desc=desc, layout=layout,
            play_url=play_url, download_url=download_url, cover_url=cover_url, bitrate_info=bitrate_info,
            music=music, size=h264.size,
        )  # fmt: skip
        post = Post(
            id=post_id, kind="video", author=author, url=canonical_url(author, post_id), desc=desc,
            page=post_page(video_detail(0, item), desc), item=item, h264=h264, bytevc1=bytevc1_blob,
            watermarked=watermarked_blob, play_url=play_url, h264_urls=h264_urls, bytevc1_urls=bytevc1_urls,
            download_url=download_url, cover=cover_blob, cover_url=cover_url, music=music,
        )  # fmt: skip
        return catalog.add_post(post)

    def add_slideshow(
        self,
        post_id: str,
        images: list[bytes] | None = None,
        heic_first: bool = True,
        music: Music | None = None,
        author: str = "alice",
        desc: str = "photo mode",
        nickname: str | None = None,
    ) -> Post:
        """A photo post. Each image is listed as a HEIC and a JPEG (or the PNG given) rendition."""
        sources = images if images is not None else [media.jpeg_bytes(index) for index in range(3)]
        slides = [self._publish_slide(post_id, index, data) for index, data in enumerate(sources)]
        music = music or self.music(title=f"original sound - {author}", author=nickname or author, duration=8)
        publish_music(self._catalog, music, slides[0].plain if slides else Blob.of(media.jpeg_bytes(), "image/jpeg"))
        item = slideshow_item(
            post_id=post_id, author=author, nickname=nickname or author, desc=desc, images=slides,
            heic_first=heic_first, music=music,
        )  # fmt: skip
        post = Post(
            id=post_id, kind="slideshow", author=author, url=canonical_url(author, post_id), desc=desc,
            page=post_page(video_detail(0, item), desc), item=item, music=music, images=slides,
        )  # fmt: skip
        return self._catalog.add_post(post)

    def _publish_slide(self, post_id: str, index: int, data: bytes) -> SlideImage:
        heic = Blob.of(media.to_heic(data), "image/heic")
        plain_data = media.to_jpeg(data)
        plain = Blob.of(plain_data, _image_type(plain_data))
        width, height = media.image_size(plain_data)
        template = "tplv-photomode-image"
        return SlideImage(
            heic=heic, plain=plain, width=width, height=height,
            heic_url=publish_image(self._catalog, heic, post_id, index, "heic", template=template),
            plain_url=publish_image(self._catalog, plain, post_id, index, "plain", template=template),
        )  # fmt: skip

    def add_status(self, post_id: str, status_code: int, author: str = "alice") -> Post:
        """The page answers with this statusCode and no item (10204 deleted, 10216/10222 private, …)."""
        post = Post(
            id=post_id, kind="status", author=author, url=canonical_url(author, post_id),
            status_code=status_code, page=post_page(video_detail(status_code), "TikTok"),
        )  # fmt: skip
        return self._catalog.add_post(post)

    def add_login_redirect(self, post_id: str, author: str = "alice") -> Post:
        """The page redirects to /login."""
        post = Post(id=post_id, kind="login_redirect", author=author, url=canonical_url(author, post_id),
                    login_redirect=True)  # fmt: skip
        return self._catalog.add_post(post)

    def add_age_restricted(self, post_id: str, author: str = "alice", desc: str = "not for everyone") -> Post:
        """An item without `video` and with isContentClassified: yt-dlp asks for a login."""
        item = age_restricted_item(post_id=post_id, author=author, nickname=author, desc=desc)
        post = Post(
            id=post_id, kind="age_restricted", author=author, url=canonical_url(author, post_id), desc=desc,
            page=post_page(video_detail(0, item), desc), item=item,
        )  # fmt: skip
        return self._catalog.add_post(post)

    def add_waf_once(self, post_id: str, **video: object) -> Post:
        """A video post (same keywords as add_video) behind a proof-of-work challenge a client can solve."""
        post = self.add_video(post_id, **video)  # type: ignore[arg-type]
        post.waf = WafMode.ONCE
        return post

    def add_waf_forever(self, post_id: str, author: str = "alice") -> Post:
        """Every request for this post gets the challenge page, solved or not."""
        post = Post(id=post_id, kind="waf_forever", author=author, url=canonical_url(author, post_id),
                    waf=WafMode.FOREVER)  # fmt: skip
        return self._catalog.add_post(post)

    def add_short_link(self, code: str, to: str, host: str = "vm.tiktok.com", status: int = 301) -> str:
        """A short link redirecting to `to`; returns its URL (www.tiktok.com codes live under /t/)."""
        self._catalog.add_short_link(ShortLink(code=code, host=host, target=to, status=status))
        if host == WEB_HOST:
            return f"https://{WEB_HOST}/t/{code}/"
        return f"https://{host}/{code}/"

    # --- observation ---
    @property
    def requests(self) -> list[LoggedRequest]:
        return self._log.requests

    def requests_to(self, host: str) -> list[LoggedRequest]:
        return [request for request in self._log.requests if request.host == host]

    def hosts_contacted(self) -> set[str]:
        """Every CONNECT (or proxied plain HTTP) target and every Host header seen, refused ones included."""
        hosts = {request.host for request in self._log.requests}
        hosts.update(connection.host for proxy in self.proxies for connection in proxy.connections)
        return hosts

    @property
    def concurrent_media_peak(self) -> int:
        return self._log.media_peak

    def reset_log(self) -> None:
        self._log.clear()
        for proxy in self.proxies:
            proxy.connections.clear()
