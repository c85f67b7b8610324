"""Media that plays as the creator meant it: the chosen cover, the right rendition, sound only with a sound."""

from __future__ import annotations

from types import ModuleType

from tests.bot_checks import callback_data
from tests.fakes.tiktok_items import BYTEVC1_720P, H264_540P, H264_1080P

USER = 1501


async def test_video_carries_the_posts_cover_as_well_as_the_thumbnail(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    cover = media.jpeg_bytes(3)
    post = fake_tiktok.add_video("7350000000000001501", cover=cover)
    fake_telegram.send_message(USER, post.url)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert call.error is None
    assert call.file("cover").data == cover
    assert call.file("thumbnail") is not None
    assert call.result["video"]["cover"][-1]["width"] == 72  # Telegram stored it as a photo


async def test_a_silent_post_arrives_without_audio_track_and_without_sound_button(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    post = fake_tiktok.add_video_renditions(
        "7350000000000001502", [(H264_540P, None)], audio=False, music=fake_tiktok.silent_music()
    )
    fake_telegram.send_message(USER, post.url)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert call.error is None
    codec, _, height, has_audio, _ = media.decoded_video(call.file("video").data)
    assert (codec, height, has_audio) == ("h264", 1024, False)
    assert callback_data(call.params) == []


async def test_a_silent_video_of_a_post_with_a_sound_keeps_the_sound_button(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    post = fake_tiktok.add_video_renditions("7350000000000001503", [(H264_540P, None)], audio=False)
    fake_telegram.send_message(USER, post.url)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert media.decoded_video(call.file("video").data)[3] is False
    assert callback_data(call.params) == ["music:7350000000000001503"]


async def test_the_video_arrives_in_the_rendition_of_best_quality_by_default(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    post = fake_tiktok.add_video_renditions(
        "7350000000000001504", [(H264_540P, None), (H264_1080P, None), (BYTEVC1_720P, None)]
    )
    fake_telegram.send_message(USER, post.url)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert media.decoded_video(call.file("video").data)[:4] == ("h264", 1080, 1920, True)
