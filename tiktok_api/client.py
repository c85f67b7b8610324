"""TikTokClient: resolve the link, read the post's page, download its media — each part retried through
the next proxy of the request's ProxySession."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tiktok_api.config import ClientConfig
from tiktok_api.conversion import ImageConversionError
from tiktok_api.downloader import Downloader, Timeouts
from tiktok_api.exceptions import (
    TikTokDeletedError,
    TikTokError,
    TikTokExtractionError,
    TikTokInvalidLinkError,
    TikTokNetworkError,
    TikTokPageUnreadError,
    TikTokVideoTooLargeError,
    TikTokVideoTooLongError,
)
from tiktok_api.extractor import STATUS_UNAVAILABLE, PostExtractor, PostPage
from tiktok_api.hedging import Hedger
from tiktok_api.images import ImageConverter
from tiktok_api.models import MediaFile, MusicInfo, PostCheck, SlideshowInfo, VideoInfo
from tiktok_api.post import (
    PostMeta,
    cover_url,
    format_size,
    image_url_lists,
    is_h264,
    known_size,
    sound,
    video_duration,
    video_formats,
    video_size,
)
from tiktok_api.probe import probe_downloaded
from tiktok_api.proxies import Proxy, ProxyRotation, ProxySession
from tiktok_api.quality import VideoQuality, choose_formats
from tiktok_api.resolver import ShortLinkResolver
from tiktok_api.retry import TryAnotherProxy, media_route, with_retries
from tiktok_api.slideshow_video import render_slideshow
from tiktok_api.sniff import audio_kind
from tiktok_api.trust import share_ca_bundle

logger = logging.getLogger(__name__)

IMAGES_IN_PARALLEL = 4  # per slideshow; the downloader caps all downloads together
COVER_SIZE_LIMIT = 5 * 1024 * 1024
RENDER_TIMEOUT = 120.0  # a slideshow video: 35 images of 1080 px take a few seconds on 2 cores
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _filename(title: str, fallback: str, extension: str) -> str:
    stem = " ".join(_UNSAFE_FILENAME.sub(" ", title).split()).strip(" .")[:64].strip() or fallback
    return f"{stem}.{extension}"


def _head(media: MediaFile, size: int = 16) -> bytes:
    if media.data is not None:
        return media.data[:size]
    if media.path is None:
        return b""
    with media.path.open("rb") as file:
        return file.read(size)


class TikTokClient:
    """Downloads TikTok videos, slideshows and sounds. Use `async with TikTokClient(config) as client`."""

    def __init__(self, config: ClientConfig | None = None, *, rotation: ProxyRotation | None = None) -> None:
        self._config = config = config or ClientConfig()
        self.rotation = rotation or ProxyRotation.from_file(config.proxy_file, include_direct=config.proxy_include_host)
        ca_bundle = share_ca_bundle()
        self._extractor = PostExtractor(
            config.ytdlp_workers, socket_timeout=config.connect_timeout, slot_hold=config.proxy_hedge_after
        )
        self._downloader = Downloader(
            Timeouts(connect=config.connect_timeout, read=config.read_timeout),
            max_concurrent=config.max_concurrent_downloads,
            memory_threshold=config.memory_threshold,
            temp_dir=config.temp_dir,
            ca_bundle=ca_bundle,
        )
        self._resolver = ShortLinkResolver(self._downloader, config.url_resolve_max_retries)
        self._images = ImageConverter()
        hedging = config.proxy_hedge_after > 0 and config.proxy_hedge_limit > 0
        self._hedger = Hedger(config.proxy_hedge_after, config.proxy_hedge_limit) if hedging else None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._downloader.close()
        self._extractor.close()
        await self._images.close()

    # --- public API ---
    async def resolve_post_id(self, url: str) -> str:
        """The post id of any TikTok link; short links are resolved safely and remembered."""
        async with self._deadline():
            return await self._resolver.resolve(url, self._new_session())

    async def video(self, url: str, quality: VideoQuality = VideoQuality.BEST) -> VideoInfo | SlideshowInfo:
        """The post behind `url`: a video (H.264 unless the post has none, no watermark, the rendition
        `quality` asks for) or a slideshow's images."""
        async with self._deadline():
            session = self._new_session()
            post_id = await self._resolver.resolve(url, session)
            page = await self._page(post_id, session)
            if image_url_lists(page.data):
                return await self._slideshow(page, session)
            return await self._video(page, session, quality)

    async def check(self, url: str) -> PostCheck:
        """Read the post's page only (no media): whether extraction works, as `video` would find out."""
        async with self._deadline():
            session = self._new_session()
            post_id = await self._resolver.resolve(url, session)
            page = await self._page(post_id, session)
        is_slideshow = bool(image_url_lists(page.data))
        if not is_slideshow:
            _watermark_free_formats(page)
        meta = PostMeta.read(page.post_id, page.data)
        return PostCheck(id=meta.id, url=meta.url, author=meta.author, is_slideshow=is_slideshow)

    async def music(self, post_id: str) -> MusicInfo:
        """The sound of a post (video or slideshow), in its own container (MP3 or M4A)."""
        if not post_id.isdigit():
            raise TikTokInvalidLinkError("A post id is a number")
        async with self._deadline():
            session = self._new_session()
            page = await self._page(post_id, session)
            return await self._sound(page, session)

    async def slideshow_video(self, post_id: str) -> VideoInfo:
        """A slideshow's images and sound as one H.264/AAC MP4, rendered in the image process pool."""
        if not post_id.isdigit():
            raise TikTokInvalidLinkError("A post id is a number")
        async with self._deadline():
            session = self._new_session()
            page = await self._page(post_id, session)
            if not image_url_lists(page.data):
                raise TikTokExtractionError("This post is not a slideshow")
            results = await asyncio.gather(
                self._slideshow(page, session), self._optional_sound(page, session), return_exceptions=True
            )
        slideshow, music = results
        if isinstance(slideshow, BaseException) or isinstance(music, BaseException):
            for done in results:
                if isinstance(done, (SlideshowInfo, MusicInfo)):
                    done.close()
            raise slideshow if isinstance(slideshow, BaseException) else music  # type: ignore[misc]
        with slideshow, contextlib.ExitStack() as stack:
            if music is not None:
                stack.enter_context(music)
            return await self._render(slideshow, music)

    # --- the parts ---
    def _new_session(self) -> ProxySession:
        return ProxySession(self.rotation, media_direct=self._config.proxy_data_only, hedger=self._hedger)

    @contextlib.asynccontextmanager
    async def _deadline(self) -> AsyncIterator[None]:
        seconds = self._config.total_timeout
        try:
            async with asyncio.timeout(seconds):
                yield
        except TimeoutError as error:
            raise TikTokNetworkError(f"TikTok did not answer within {seconds:g} s") from error

    async def _page(self, post_id: str, session: ProxySession) -> PostPage:
        asked_another_proxy = False

        async def fetch(proxy: Proxy) -> PostPage:
            nonlocal asked_another_proxy
            page = await self._extractor.fetch(post_id, proxy)
            if page.status == STATUS_UNAVAILABLE and not asked_another_proxy and session.has_alternatives:
                # TikTok says 10204 to blocked IPs too: only a second proxy's 10204 means "deleted".
                asked_another_proxy = True
                raise TryAnotherProxy(TikTokDeletedError("TikTok says this post does not exist"), blame_proxy=False)
            page.raise_for_status()
            return page

        return await with_retries("post info", self._config.video_info_max_retries, session, fetch)

    def _video_formats(self, page: PostPage, quality: VideoQuality) -> list[dict[str, Any]]:
        """The formats to try, in `quality`'s order, once duration and known size are within limits."""
        limit = self._config.max_video_duration
        duration = video_duration(page.data)
        if limit and duration > limit:
            raise TikTokVideoTooLongError(f"The video lasts {duration} s, longer than {limit} s")
        formats = _watermark_free_formats(page)
        max_size = self._config.max_file_size
        fitting = choose_formats(page.formats, quality, max_size)
        if not fitting:
            smallest = min(size for video_format in formats if (size := known_size(video_format)))
            raise TikTokVideoTooLargeError(f"The video is {smallest} bytes, over the limit of {max_size}")
        return fitting

    async def _video(self, page: PostPage, session: ProxySession, quality: VideoQuality) -> VideoInfo:
        candidates = itertools.cycle(self._video_formats(page, quality))
        chosen: dict[str, Any] = {}

        async def download(proxy: Proxy) -> MediaFile:
            nonlocal chosen
            candidate = next(candidates)  # each attempt takes the next URL (primary, backup, …)
            media = await self._download(str(candidate["url"]), page, proxy, suffix=".mp4")
            chosen = candidate  # of the attempt that answered, when a hedge ran alongside
            return media

        media, cover = await self._with_cover(
            with_retries("video", self._config.download_max_retries, session, download, route=media_route),
            cover_url(page.data), page, session,
        )  # fmt: skip
        media.filename, media.mime_type = f"{page.post_id}.mp4", "video/mp4"
        try:
            probe = await probe_downloaded(media)
        except BaseException:
            media.close()
            raise
        width, height = format_size(chosen)
        if not (width and height) and probe is not None:
            width, height = probe.width, probe.height
        if not (width and height):
            width, height = video_size(page.data)
        if probe is not None and not probe.has_audio:
            logger.info("post %s: the video has no audio track", page.post_id)
        if probe is not None and probe.is_h264 != is_h264(chosen):
            logger.warning("post %s: asked for %s, the file holds %s", page.post_id, chosen.get("vcodec"), probe.codec)
        meta = PostMeta.read(page.post_id, page.data)
        return VideoInfo(
            id=meta.id, url=meta.url, description=meta.description, author=meta.author,
            author_name=meta.author_name, width=width, height=height, duration=video_duration(page.data),
            cover=cover, media=media, music_title=meta.music_title, music_author=meta.music_author,
            probe=probe, has_music=sound(page.data) is not None,
        )  # fmt: skip

    async def _slideshow(self, page: PostPage, session: ProxySession) -> SlideshowInfo:
        parallel = asyncio.Semaphore(IMAGES_IN_PARALLEL)

        async def image(number: int, urls: list[str]) -> MediaFile:
            async with parallel:
                return await self._image(page, session, number, urls)

        results = await asyncio.gather(
            *(image(number, urls) for number, urls in enumerate(image_url_lists(page.data), start=1)),
            return_exceptions=True,
        )
        images = [result for result in results if isinstance(result, MediaFile)]
        failure = next((result for result in results if isinstance(result, BaseException)), None)
        if failure is not None:
            for done in images:
                done.close()
            raise failure
        meta = PostMeta.read(page.post_id, page.data)
        return SlideshowInfo(
            id=meta.id,
            url=meta.url,
            description=meta.description,
            author=meta.author,
            author_name=meta.author_name,
            images=images,
            music_title=meta.music_title,
            music_author=meta.music_author,
        )

    async def _image(self, page: PostPage, session: ProxySession, number: int, urls: list[str]) -> MediaFile:
        """One slideshow image, retried on its own (the next attempt takes the next URL and proxy)."""
        candidates = itertools.cycle(urls)

        async def download(proxy: Proxy) -> MediaFile:
            with await self._download(next(candidates), page, proxy) as media:
                data = media.read_bytes()
            try:
                data, kind = await self._images.displayable(data)
            except ImageConversionError as error:
                not_an_image = TikTokExtractionError(f"Image {number} is not an image")
                raise TryAnotherProxy(not_an_image, blame_proxy=False) from error
            name = f"{page.post_id}_{number}.{kind.extension}"
            return MediaFile(size=len(data), data=data, filename=name, mime_type=kind.mime_type)

        retries = self._config.download_max_retries
        return await with_retries(f"image {number}", retries, session, download, route=media_route)

    async def _optional_sound(self, page: PostPage, session: ProxySession) -> MusicInfo | None:
        return await self._sound(page, session) if sound(page.data) is not None else None

    async def _render(self, slideshow: SlideshowInfo, music: MusicInfo | None) -> VideoInfo:
        images = [image.read_bytes() for image in slideshow.images]
        descriptor, name = tempfile.mkstemp(prefix="tiktok-slides-", suffix=".mp4", dir=self._config.temp_dir)
        os.close(descriptor)
        media = MediaFile(size=0, path=Path(name), filename=f"{slideshow.id}.mp4", mime_type="video/mp4")
        try:
            sound_bytes = music.media.read_bytes() if music is not None else None
            try:
                async with asyncio.timeout(RENDER_TIMEOUT):
                    rendered = await self._images.run(render_slideshow, images, sound_bytes, name)
            except Exception as error:  # PyAV's errors, a worker that died, the timeout
                raise TikTokExtractionError(f"The slideshow could not be rendered: {error!r}") from error
            media.size = rendered.size
            if media.size > self._config.max_file_size:
                raise TikTokVideoTooLargeError(f"The slideshow video is {media.size} bytes")
            probe = await probe_downloaded(media)
            cover = await self._images.jpeg(images[0])
        except BaseException:
            media.close()
            raise
        return VideoInfo(
            id=slideshow.id, url=slideshow.url, description=slideshow.description, author=slideshow.author,
            author_name=slideshow.author_name, width=rendered.width, height=rendered.height,
            duration=round(rendered.duration), cover=cover, media=media, music_title=slideshow.music_title,
            music_author=slideshow.music_author, probe=probe, has_music=music is not None,
        )  # fmt: skip

    async def _sound(self, page: PostPage, session: ProxySession) -> MusicInfo:
        source = sound(page.data)
        if source is None:
            raise TikTokExtractionError("This post has no sound to download")

        async def download(proxy: Proxy) -> MediaFile:
            return await self._download(source.url, page, proxy, suffix=".audio")

        media, cover = await self._with_cover(
            with_retries("sound", self._config.download_max_retries, session, download, route=media_route),
            source.cover_url, page, session,
        )  # fmt: skip
        kind = audio_kind(_head(media))
        media.filename = _filename(source.title, page.post_id, kind.extension)
        media.mime_type = kind.mime_type
        duration = source.duration or video_duration(page.data)
        return MusicInfo(id=page.post_id, title=source.title, author=source.author, duration=duration,
                         cover=cover, media=media)  # fmt: skip

    async def _download(self, url: str, page: PostPage, proxy: Proxy, *, suffix: str = "") -> MediaFile:
        """One media URL of the post, with the page's cookies; refused when over the upload limit."""
        headers = page.media_headers(url)
        return await self._downloader.download(url, proxy, headers=headers, max_size=self._config.max_file_size,
                                               suffix=suffix)  # fmt: skip

    async def _with_cover(
        self, download: Awaitable[MediaFile], url: str | None, page: PostPage, session: ProxySession
    ) -> tuple[MediaFile, bytes | None]:
        """Run `download` with the cover fetched alongside; nothing is left open if either is interrupted."""
        cover = asyncio.create_task(self._cover(url, page, session))
        try:
            media = await download
        except BaseException:
            cover.cancel()
            raise
        try:
            return media, await cover
        except BaseException:
            media.close()
            raise

    async def _cover(self, url: str | None, page: PostPage, session: ProxySession) -> bytes | None:
        """A cover as JPEG, or None: a missing thumbnail is not worth failing or retrying for."""
        if url is None:
            return None
        headers = page.media_headers(url)

        async def download(proxy: Proxy) -> MediaFile:
            return await self._downloader.download(url, proxy, headers=headers, max_size=COVER_SIZE_LIMIT)

        try:
            if self._hedger is None:
                media = await download(session.media_proxy)
            else:
                _, media = await self._hedger.run(
                    download, session.media_proxy, spare=session.spare, on_failure=_ignore, on_stalled=_ignore
                )
            with media:
                return await self._images.jpeg(media.read_bytes())
        except (TryAnotherProxy, TikTokError, ImageConversionError, OSError) as error:
            logger.debug("No cover for %s: %s", page.post_id, error)
            return None


def _watermark_free_formats(page: PostPage) -> list[dict[str, Any]]:
    formats = video_formats(page.formats)
    if not formats:
        # Every video post has one: none means the post data changed shape.
        raise TikTokPageUnreadError("The post has no video without a watermark")
    return formats


def _ignore(*_: object) -> None:
    """A cover's trouble is not worth resting a proxy for."""
