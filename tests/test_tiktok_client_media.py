"""What video(), the slideshow path and music() hand back, checked against what the fake TikTok serves."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from PIL import Image

from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.models import SlideshowInfo, VideoInfo

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"


def where(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path


def requested(fake: FakeTikTok) -> set[tuple[str, str]]:
    return {(request.host, request.path) for request in fake.requests}


def files_in(directory: Path | None) -> list[Path]:
    assert directory is not None
    return list(directory.iterdir())


def image_format(data: bytes) -> tuple[str | None, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format, image.size


async def test_video_has_the_h264_bytes_and_the_post_metadata(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    sound = fake_tiktok.music(title="orig sound", author="Alice A.", duration=3)
    post = fake_tiktok.add_video(
        POST_ID, author="alice", nickname="Alice A.", desc="hello #fyp", width=576, height=1024, duration=3,
        music=sound, cover=media.jpeg_bytes(2),
    )  # fmt: skip

    info = await tiktok_client.video(PAGE_URL)

    assert isinstance(info, VideoInfo)
    with info:
        assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]
        assert info.media.size == post.h264.size  # type: ignore[union-attr]
        assert (info.media.filename, info.media.mime_type) == (f"{POST_ID}.mp4", "video/mp4")
        assert (info.width, info.height, info.duration) == (576, 1024, 3)
        assert (info.author, info.author_name, info.description) == ("alice", "Alice A.", "hello #fyp")
        assert (info.music_title, info.music_author) == ("orig sound", "Alice A.")
        assert info.url == PAGE_URL
        assert info.cover == media.jpeg_bytes(2)


async def test_video_is_never_the_watermarked_or_hevc_rendition(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    post = fake_tiktok.add_video(POST_ID)

    with await tiktok_client.video(PAGE_URL) as info:
        data = info.media.read_bytes()  # type: ignore[union-attr]

    assert data != post.watermarked.read() and data != post.bytevc1.read()  # type: ignore[union-attr]
    assert where(post.h264_urls[0]) in requested(fake_tiktok)
    assert where(post.download_url) not in requested(fake_tiktok)  # type: ignore[arg-type]
    assert not requested(fake_tiktok) & {where(url) for url in post.bytevc1_urls}


async def test_cdn_request_carries_the_page_cookies_and_referer(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    post = fake_tiktok.add_video(POST_ID)

    with await tiktok_client.video(PAGE_URL):
        pass

    [page] = fake_tiktok.requests_to("www.tiktok.com")
    [video] = [request for request in fake_tiktok.requests if (request.host, request.path) == where(post.h264_urls[0])]
    assert video.status == 200
    assert "tt_chain_token" in video.cookies
    assert video.headers["Referer"].startswith("https://www.tiktok.com/@")
    assert page.proxy == video.proxy


async def test_video_with_unknown_size_is_downloaded_whole(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    post = fake_tiktok.add_video(POST_ID, data_size_known=False)

    with await tiktok_client.video(PAGE_URL) as info:
        assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]


async def test_large_video_goes_to_a_temp_file_that_close_deletes(
    fake_tiktok: FakeTikTok, client_config: ClientConfig, media: ModuleType
) -> None:
    size = 3 * 1024 * 1024
    fake_tiktok.add_large_video(POST_ID, size=size)
    config = dataclasses.replace(client_config, memory_threshold=256 * 1024)

    async with TikTokClient(config) as client:
        info = await client.video(PAGE_URL)
    assert isinstance(info, VideoInfo)
    path = info.media.path

    assert info.media.data is None and path is not None
    assert path.parent == config.temp_dir and path.stat().st_size == size == info.media.size
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(media.mp4_bytes(size)).digest()
    info.close()
    assert not path.exists()
    assert not files_in(config.temp_dir)


async def test_small_video_stays_in_memory(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_video(POST_ID)

    with await tiktok_client.video(PAGE_URL) as info:
        assert info.media.path is None and info.media.data is not None  # type: ignore[union-attr]


async def test_slideshow_returns_every_image_in_order_heic_converted_to_jpeg(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    sources = [media.heic_bytes(0), media.jpeg_bytes(1), media.heic_bytes(2), media.jpeg_bytes(3)]
    post = fake_tiktok.add_slideshow(POST_ID, images=sources, heic_first=True, desc="photo mode", author="alice")

    info = await tiktok_client.video(f"https://www.tiktok.com/@alice/photo/{POST_ID}")

    assert isinstance(info, SlideshowInfo)
    with info:
        assert (info.id, info.url, info.description, info.author) == (POST_ID, PAGE_URL, "photo mode", "alice")
        assert [image.filename for image in info.images] == [f"{POST_ID}_{number}.jpg" for number in range(1, 5)]
        assert {image.mime_type for image in info.images} == {"image/jpeg"}
        opened = [image_format(image.read_bytes()) for image in info.images]
        assert opened == [("JPEG", (slide.width, slide.height)) for slide in post.images]
        assert info.music_title == post.music.title  # type: ignore[union-attr]
    # The first URL of each image (HEIC, TikTok's order) was fetched, so all four were converted.
    assert {where(slide.heic_url) for slide in post.images} <= requested(fake_tiktok)


async def test_slideshow_images_listed_jpeg_first_arrive_unchanged(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(1), media.png_bytes(2)], heic_first=False)

    with await tiktok_client.video(PAGE_URL) as info:
        assert isinstance(info, SlideshowInfo)
        assert [image.read_bytes() for image in info.images] == [media.jpeg_bytes(1), media.png_bytes(2)]
        assert [(image.filename, image.mime_type) for image in info.images] == [
            (f"{POST_ID}_1.jpg", "image/jpeg"),
            (f"{POST_ID}_2.png", "image/png"),
        ]


async def test_music_of_a_video_is_its_mp3_with_metadata(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    sound = fake_tiktok.music(title="orig sound", author="Alice A.", audio=media.mp3_bytes(), duration=7)
    fake_tiktok.add_video(POST_ID, music=sound, cover=media.jpeg_bytes(4))

    with await tiktok_client.music(POST_ID) as music:
        assert (music.id, music.title, music.author, music.duration) == (POST_ID, "orig sound", "Alice A.", 7)
        assert music.media.read_bytes() == media.mp3_bytes()
        assert (music.media.filename, music.media.mime_type) == ("orig sound.mp3", "audio/mpeg")
        assert music.cover is not None and image_format(music.cover)[0] == "JPEG"


async def test_music_in_an_m4a_container_is_named_m4a(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    sound = fake_tiktok.music(title="a/b: c?", author="bob", audio=media.m4a_bytes(), duration=1)
    fake_tiktok.add_video(POST_ID, music=sound)

    with await tiktok_client.music(POST_ID) as music:
        assert music.media.read_bytes() == media.m4a_bytes()
        assert (music.media.filename, music.media.mime_type) == ("a b c.m4a", "audio/mp4")


async def test_music_of_a_slideshow(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType) -> None:
    sound = fake_tiktok.music(title="slides", author="carol", audio=media.mp3_bytes(), duration=8)
    fake_tiktok.add_slideshow(POST_ID, music=sound)

    with await tiktok_client.music(POST_ID) as music:
        assert (music.title, music.author, music.duration, music.media.mime_type) == (
            "slides", "carol", 8, "audio/mpeg",
        )  # fmt: skip
