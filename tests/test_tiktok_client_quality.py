"""Which rendition video() downloads for each quality, checked by decoding the bytes it hands back."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_items import BYTEVC1_720P, H264_540P, H264_720P, H264_1080P
from tiktok_api.client import TikTokClient
from tiktok_api.models import VideoInfo
from tiktok_api.quality import VideoQuality

POST_ID = "7350000000000002001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
OVER_THE_UPLOAD_LIMIT = 60 * 1024 * 1024


async def _decoded(client: TikTokClient, media: ModuleType, quality: VideoQuality) -> tuple[str, int, int, bool]:
    info = await client.video(PAGE_URL, quality)
    assert isinstance(info, VideoInfo)
    with info:
        codec, width, height, has_audio, _ = media.decoded_video(info.media.read_bytes())
        assert info.probe is not None
        assert (info.probe.codec, info.probe.height, info.probe.has_audio) == (codec, height, has_audio)
        return codec, width, height, has_audio


@pytest.mark.parametrize(
    ("quality", "height"),
    [(VideoQuality.BEST, 1920), (VideoQuality.BALANCED, 1280), (VideoQuality.SAVER, 1024)],
)
async def test_each_quality_gets_its_h264_rendition(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType, quality: VideoQuality, height: int
) -> None:
    fake_tiktok.add_video_renditions(
        POST_ID, [(BYTEVC1_720P, None), (H264_540P, None), (H264_1080P, None), (H264_720P, None)]
    )
    assert await _decoded(tiktok_client, media, quality) == ("h264", height * 9 // 16, height, True)


async def test_best_takes_the_highest_rendition_that_fits_the_upload_limit(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    post = fake_tiktok.add_video_renditions(
        POST_ID, [(H264_1080P, OVER_THE_UPLOAD_LIMIT), (H264_720P, None), (H264_540P, None)]
    )
    assert await _decoded(tiktok_client, media, VideoQuality.BEST) == ("h264", 720, 1280, True)
    assert post.renditions["h264_1080p"].size == OVER_THE_UPLOAD_LIMIT


async def test_hevc_is_taken_only_when_the_post_has_no_h264(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_video_renditions(POST_ID, [(BYTEVC1_720P, None)])
    assert await _decoded(tiktok_client, media, VideoQuality.BEST) == ("hevc", 720, 1280, True)


async def test_a_video_without_audio_track_is_delivered_and_probed_as_silent(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_video_renditions(POST_ID, [(H264_540P, None)], audio=False, music=fake_tiktok.silent_music())
    info = await tiktok_client.video(PAGE_URL)
    assert isinstance(info, VideoInfo)
    with info:
        assert info.probe is not None and info.probe.has_audio is False and info.probe.codec == "h264"
        assert info.has_sound is False


async def test_a_video_too_big_to_keep_in_memory_is_probed_from_its_file(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_video_renditions(POST_ID, [(H264_720P, 9 * 1024 * 1024)])
    info = await tiktok_client.video(PAGE_URL)
    assert isinstance(info, VideoInfo)
    with info:
        assert info.media.path is not None and info.media.data is None
    assert await _decoded(tiktok_client, media, VideoQuality.BEST) == ("h264", 720, 1280, True)
