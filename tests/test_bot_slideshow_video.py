"""The "🎬 Video" button under a slideshow's caption: the images and the sound as one MP4, from anyone."""

from __future__ import annotations

from types import ModuleType

from data.kinds import MediaKind
from data.locales import Locales
from data.models import Outcome
from tests.bot_checks import cache_row, callback_data, eventually, video_rows

POST_ID = "7350000000000003101"
USER = 1601
GROUP = -1001601
OTHER_MEMBER = 2601
BUTTON = f"slidevideo:{POST_ID}"


async def _caption_message(fake_telegram, fake_tiktok, media: ModuleType, chat_id: int = USER, **sender) -> dict:
    sound = fake_tiktok.music(audio=media.sound_bytes(9), duration=9)
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(3)], music=sound)
    fake_telegram.send_message(chat_id, post.url, **sender)
    call = await fake_telegram.wait_for_call("sendMessage", lambda call: "reply_markup" in call.params, timeout=30)
    assert callback_data(call.params) == [f"music:{POST_ID}", BUTTON]
    assert all(len(data.encode()) < 64 for data in callback_data(call.params))
    return call.result


def _keyboards(fake_telegram, message_id: int) -> list[list[str]]:
    edits = fake_telegram.calls_of("editMessageReplyMarkup")
    return [callback_data(call.params) for call in edits if call.params["message_id"] == message_id]


async def test_video_button_sends_the_slideshow_as_one_video_with_its_sound(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _caption_message(fake_telegram, fake_tiktok, media)
    fake_telegram.press_button(USER, message, BUTTON)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=60)
    assert call.error is None
    codec, width, height, has_audio, duration = media.decoded_video(call.file("video").data)
    assert (codec, width, height, has_audio) == ("h264", 72, 128, True)
    assert abs(duration - 9.0) < 0.2  # three images, three seconds of the sound each
    assert (call.params["width"], call.params["height"], call.params["duration"]) == (72, 128, 9)
    assert call.file("cover") is not None
    assert call.params["reply_parameters"]["message_id"] == message["message_id"]

    rows = await video_rows(db_sessions, count=2)  # the slideshow's own row, then the video's
    assert [(row.video_id, row.kind, row.outcome) for row in rows][1:] == [
        (POST_ID, MediaKind.SLIDESHOW_VIDEO, Outcome.SUCCESS)
    ]
    await eventually(lambda: cache_row(db_sessions, POST_ID, "slideshow_video"), lambda row: row is not None)
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    assert _keyboards(fake_telegram, message["message_id"]) == [[f"music:{POST_ID}"], [f"music:{POST_ID}", BUTTON]]


async def test_a_second_press_is_answered_from_the_cache_without_tiktok(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _caption_message(fake_telegram, fake_tiktok, media, GROUP, user_id=USER, chat_type="supergroup")
    fake_telegram.press_button(OTHER_MEMBER, message, BUTTON)
    first = await fake_telegram.wait_for_call("sendVideo", timeout=60)
    await eventually(lambda: cache_row(db_sessions, POST_ID, "slideshow_video"), lambda row: row is not None)
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)  # the button is back
    asked = len(fake_tiktok.requests)

    fake_telegram.press_button(USER, message, BUTTON)
    await fake_telegram.wait_for_calls("sendVideo", 2, timeout=30)
    second = fake_telegram.calls_of("sendVideo")[1]
    assert second.params["video"] == first.result["video"]["file_id"]
    assert second.params["chat_id"] == GROUP
    assert len(fake_tiktok.requests) == asked


async def test_video_button_comes_back_after_a_failure(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _caption_message(fake_telegram, fake_tiktok, media)
    for proxy in fake_tiktok.proxies:
        proxy.upstream_status = 403
    fake_telegram.press_button(USER, message, BUTTON)

    error = await fake_telegram.wait_for_call("sendMessage", lambda call: "reply_markup" not in call.params, timeout=30)
    assert error.params["text"] == Locales.load().text("en", "error_network")
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    assert _keyboards(fake_telegram, message["message_id"])[-1] == [f"music:{POST_ID}", BUTTON]
    rows = await video_rows(db_sessions, count=2)
    assert [(row.kind, row.outcome) for row in rows][1:] == [(MediaKind.SLIDESHOW_VIDEO, Outcome.FAILED)]
