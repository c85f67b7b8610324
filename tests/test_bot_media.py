"""Media that plays as the creator meant it: the chosen cover, the right rendition, sound only with a sound."""

from __future__ import annotations

from types import ModuleType

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
