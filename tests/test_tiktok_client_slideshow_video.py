"""slideshow_video(): the images and the sound of a photo post rendered into one MP4, decoded to check."""

from __future__ import annotations

from types import ModuleType

from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient

POST_ID = "7350000000000003001"


async def test_each_image_gets_an_equal_share_of_the_sound(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    sound = fake_tiktok.music(audio=media.sound_bytes(12), duration=12)
    fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(4)], music=sound)

    info = await tiktok_client.slideshow_video(POST_ID)
    with info:
        path = info.media.path
        codec, width, height, has_audio, duration = media.decoded_video(info.media.read_bytes())
        assert (codec, width, height, has_audio) == ("h264", 72, 128, True)
        assert abs(duration - 12.0) < 0.2 and info.duration == 12
        assert info.probe is not None and info.probe.has_audio and info.cover is not None
    assert path is not None and not path.exists()  # the temporary file went with the video


async def test_without_sound_each_image_stays_a_few_seconds(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(2)],
                              music=fake_tiktok.silent_music())  # fmt: skip

    with await tiktok_client.slideshow_video(POST_ID) as info:
        codec, _, _, has_audio, duration = media.decoded_video(info.media.read_bytes())
        assert (codec, has_audio) == ("h264", False)
        assert abs(duration - 6.0) < 0.2
        assert info.has_sound is False


async def test_a_long_slideshow_is_cut_to_a_minute(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, media: ModuleType
) -> None:
    fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(35)],
                              music=fake_tiktok.silent_music())  # fmt: skip

    with await tiktok_client.slideshow_video(POST_ID) as info:
        assert media.decoded_video(info.media.read_bytes())[4] <= 60.0
