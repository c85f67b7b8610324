"""The content half of FakeTikTok: add posts, sounds and short links; every add renders its page once."""

from __future__ import annotations

import itertools

from tests.fakes import media
from tests.fakes.tiktok_content import Blob, Catalog, Music, Post, ShortLink, SlideImage, WafMode
from tests.fakes.tiktok_hosts import WEB_HOST
from tests.fakes.tiktok_items import (
    BYTEVC1_720P,
    H264_540P,
    VideoLayout,
    VideoRendition,
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
from tests.fakes.tiktok_pages import post_page, video_detail

_COVER_TEMPLATE = "tplv-tiktokx-cropcenter:300:400"
_SLIDE_TEMPLATE = "tplv-photomode-image"


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


def _short_side(rendition: VideoRendition) -> int:
    lines = int(rendition.resolution.removesuffix("p"))
    return 576 if lines == 540 else lines  # yt-dlp: TikTok's "540p" is 576 wide


def _rendition_blob(data: bytes, padded_size: int | None) -> Blob:
    if padded_size is None or padded_size <= len(data):
        return _video_blob(data)
    return Blob(content_type="video/mp4", size=padded_size,
                stream=lambda start: media.padded_chunks(data, padded_size, start))  # fmt: skip


class TikTokContent:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._music_ids = itertools.count(1)

    # --- sounds ---
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
        music_id = numeric_id("music", next(self._music_ids))
        return Music(id=music_id, title=title, author=author, duration=duration, audio=None)

    def _default_music(self, author: str, duration: int) -> Music:
        return self.music(title=f"original sound - {author}", author=author, duration=duration)

    # --- videos ---
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
        """A video post; media left unset are the real fixture files of `tests.fakes.media`."""
        h264 = _video_blob(media.mp4_bytes() if video is None else video)
        post = self._video_post(post_id, author, desc, h264, duration=duration, music=music, cover=cover,
                                bytevc1=bytevc1, watermarked=watermarked)  # fmt: skip
        return self._publish_video(post, VideoLayout(width, height, duration, data_size_known), nickname or author)

    def add_large_video(
        self,
        post_id: str,
        size: int = 20 * 1024 * 1024,
        author: str = "alice",
        desc: str = "a long one",
        duration: int = 3,
        data_size_known: bool = True,
    ) -> Post:
        """A video of exactly `size` bytes (`media.mp4_bytes(size)`), streamed, never held in memory."""
        h264 = Blob(
            content_type="video/mp4",
            size=media.mp4_size(size),
            stream=lambda start: media.mp4_chunks(size, start),
        )
        post = self._video_post(post_id, author, desc, h264, duration=duration)
        return self._publish_video(post, VideoLayout(576, 1024, duration, data_size_known), author)

    def _video_post(
        self,
        post_id: str,
        author: str,
        desc: str,
        h264: Blob,
        *,
        duration: int,
        music: Music | None = None,
        cover: bytes | None = None,
        bytevc1: bytes | None = None,
        watermarked: bytes | None = None,
    ) -> Post:
        cover_data = media.jpeg_bytes() if cover is None else cover
        return Post(
            id=post_id, kind="video", author=author, url=canonical_url(author, post_id), desc=desc, h264=h264,
            bytevc1=_video_blob(media.mp4_bytevc1_bytes() if bytevc1 is None else bytevc1),
            watermarked=_video_blob(media.mp4_watermarked_bytes() if watermarked is None else watermarked),
            cover=Blob.of(cover_data, _image_type(cover_data)),
            music=music if music is not None else self._default_music(author, duration),
        )  # fmt: skip

    def _publish_video(self, post: Post, layout: VideoLayout, nickname: str) -> Post:
        catalog, post_id = self._catalog, post.id
        assert post.h264 and post.bytevc1 and post.watermarked and post.cover and post.music
        publish_music(catalog, post.music, post.cover)
        post.h264_urls = publish_video_rendition(catalog, post_id, H264_540P, post.h264, "h264")
        post.play_url = publish_video_rendition(catalog, post_id, None, post.h264, "play")[0]
        post.bytevc1_urls = publish_video_rendition(catalog, post_id, BYTEVC1_720P, post.bytevc1, "bytevc1")
        post.download_url = publish_video_rendition(catalog, post_id, None, post.watermarked, "watermarked")[0]
        post.cover_url = publish_image(catalog, post.cover, post_id, "cover", template=_COVER_TEMPLATE)
        post.item = video_item(
            post_id=post_id, author=post.author, nickname=nickname, desc=post.desc, layout=layout,
            play_url=post.play_url, download_url=post.download_url, cover_url=post.cover_url,
            bitrate_info=[
                bitrate_info_json(BYTEVC1_720P, post.bytevc1_urls, post.bytevc1, post_id, layout),
                bitrate_info_json(H264_540P, post.h264_urls, post.h264, post_id, layout),
            ],
            music=post.music, size=post.h264.size,
        )  # fmt: skip
        post.page = post_page(video_detail(0, post.item), post.desc)
        return self._catalog.add_post(post)

    def add_video_renditions(
        self,
        post_id: str,
        renditions: list[tuple[VideoRendition, int | None]],
        *,
        audio: bool = True,
        music: Music | None = None,
        author: str = "alice",
        desc: str = "in every size",
        duration: int = 1,
    ) -> Post:
        """A portrait video offered in several renditions (real MP4s of their true size, made with PyAV),
        each optionally padded to a byte size (streamed); playAddr serves the first. `audio=False`: no
        audio track in any of them."""
        cover = media.jpeg_bytes()
        post = Post(id=post_id, kind="video", author=author, url=canonical_url(author, post_id), desc=desc,
                    cover=Blob.of(cover, "image/jpeg"),
                    music=music if music is not None else self._default_music(author, duration))  # fmt: skip
        publish_music(self._catalog, post.music, post.cover)
        entries = []
        for rendition, padded_size in renditions:
            name = f"{rendition.codec}_{rendition.resolution}"
            short_side = _short_side(rendition)
            width, height = short_side, short_side * 16 // 9
            blob = _rendition_blob(media.rendition_mp4(rendition.codec, width, height, audio), padded_size)
            post.renditions[name] = blob
            urls = publish_video_rendition(self._catalog, post_id, rendition, blob, name)
            layout = VideoLayout(width, height, duration, data_size_known=True)
            entries.append(bitrate_info_json(rendition, urls, blob, f"{post_id}_{name}", layout))
        first = next(iter(post.renditions.values()))
        post.play_url = publish_video_rendition(self._catalog, post_id, None, first, "play")[0]
        post.watermarked = _video_blob(media.mp4_watermarked_bytes())
        post.download_url = publish_video_rendition(self._catalog, post_id, None, post.watermarked, "watermarked")[0]
        post.cover_url = publish_image(self._catalog, post.cover, post_id, "cover", template=_COVER_TEMPLATE)
        post.item = video_item(
            post_id=post_id, author=author, nickname=author, desc=desc,
            layout=VideoLayout(576, 1024, duration, data_size_known=True), play_url=post.play_url,
            download_url=post.download_url, cover_url=post.cover_url, bitrate_info=entries, music=post.music,
            size=first.size,
        )  # fmt: skip
        post.page = post_page(video_detail(0, post.item), desc)
        return self._catalog.add_post(post)

    # --- photo posts ---
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
        """A photo post; each image is listed as a HEIC and a JPEG (or the PNG given) rendition."""
        sources = images if images is not None else [media.jpeg_bytes(index) for index in range(3)]
        if not sources:
            raise ValueError("a slideshow needs at least one image")
        post = Post(id=post_id, kind="slideshow", author=author, url=canonical_url(author, post_id), desc=desc)
        post.images = [self._publish_slide(post_id, index, data) for index, data in enumerate(sources)]
        post.music = music if music is not None else self._default_music(author, duration=8)
        publish_music(self._catalog, post.music, post.images[0].plain)
        post.item = slideshow_item(
            post_id=post_id, author=author, nickname=nickname or author, desc=desc, images=post.images,
            heic_first=heic_first, music=post.music,
        )  # fmt: skip
        post.page = post_page(video_detail(0, post.item), desc)
        return self._catalog.add_post(post)

    def _publish_slide(self, post_id: str, index: int, data: bytes) -> SlideImage:
        heic = Blob.of(media.to_heic(data), "image/heic")
        plain_data = media.to_jpeg(data)
        plain = Blob.of(plain_data, _image_type(plain_data))
        width, height = media.image_size(plain_data)
        return SlideImage(
            heic=heic, plain=plain, width=width, height=height,
            heic_url=publish_image(self._catalog, heic, post_id, index, "heic", template=_SLIDE_TEMPLATE),
            plain_url=publish_image(self._catalog, plain, post_id, index, "plain", template=_SLIDE_TEMPLATE),
        )  # fmt: skip

    # --- posts that cannot be had ---
    def add_status(self, post_id: str, status_code: int, author: str = "alice") -> Post:
        """The page answers with this statusCode and no item (10204 deleted, 10216/10222 private, …)."""
        post = Post(id=post_id, kind="status", author=author, url=canonical_url(author, post_id))
        post.status_code = status_code
        post.page = post_page(video_detail(status_code), "TikTok")
        return self._catalog.add_post(post)

    def add_login_redirect(self, post_id: str, author: str = "alice") -> Post:
        """The page redirects to /login."""
        post = Post(id=post_id, kind="login_redirect", author=author, url=canonical_url(author, post_id))
        post.login_redirect = True
        return self._catalog.add_post(post)

    def add_age_restricted(self, post_id: str, author: str = "alice", desc: str = "not for everyone") -> Post:
        """An item without `video` and with isContentClassified: yt-dlp asks for a login."""
        post = Post(id=post_id, kind="age_restricted", author=author, url=canonical_url(author, post_id), desc=desc)
        post.item = age_restricted_item(post_id=post_id, author=author, nickname=author, desc=desc)
        post.page = post_page(video_detail(0, post.item), desc)
        return self._catalog.add_post(post)

    def add_waf_once(self, post_id: str) -> Post:
        """Put a solvable proof-of-work challenge in front of the post (a default video if not added yet)."""
        post = self._catalog.posts.get(post_id) or self.add_video(post_id)
        post.waf = WafMode.ONCE
        return post

    def add_waf_forever(self, post_id: str, author: str = "alice") -> Post:
        """Every request for this post gets the challenge page, solved or not."""
        post = Post(id=post_id, kind="waf_forever", author=author, url=canonical_url(author, post_id))
        post.waf = WafMode.FOREVER
        return self._catalog.add_post(post)

    # --- short links ---
    def add_short_link(self, code: str, to: str, host: str = "vm.tiktok.com", status: int = 301) -> str:
        """A short link redirecting to `to`; returns its URL (www.tiktok.com codes live under /t/)."""
        self._catalog.add_short_link(ShortLink(code=code, host=host, target=to, status=status))
        if host == WEB_HOST:
            return f"https://{WEB_HOST}/t/{code}/"
        return f"https://{host}/{code}/"
