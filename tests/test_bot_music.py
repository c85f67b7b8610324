"""The sound button: sendAudio with the sound's bytes and tags; hidden while working, back afterwards."""

from __future__ import annotations

from types import ModuleType

from data.locales import Locales
from data.models import Outcome
from tests.bot_checks import callback_data, image_of, music_rows

POST_ID = "7350000000000000301"
USER = 1003
GROUP = -1003003
OTHER_MEMBER = 2003


async def _video_message(fake_telegram, fake_tiktok, media: ModuleType, chat_id: int = USER, **sender) -> dict:
    sound = fake_tiktok.music(title="orig sound", author="alice", audio=media.mp3_bytes(), duration=3)
    post = fake_tiktok.add_video(POST_ID, author="alice", music=sound)
    fake_telegram.send_message(chat_id, post.url, **sender)
    call = await fake_telegram.wait_for_call("sendVideo", lambda call: call.error is None, timeout=30)
    return call.result


def _button_states(fake_telegram, message_id: int) -> list[list[str]]:
    edits = fake_telegram.calls_of("editMessageReplyMarkup")
    return [callback_data(call.params) for call in edits if call.params["message_id"] == message_id]


async def test_sound_button_sends_the_sound_with_title_performer_duration_and_cover(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _video_message(fake_telegram, fake_tiktok, media)
    fake_telegram.press_button(USER, message, f"music:{POST_ID}")

    audio = await fake_telegram.wait_for_call("sendAudio", timeout=30)
    assert audio.file("audio").data == media.mp3_bytes()
    assert (audio.params["title"], audio.params["performer"], audio.params["duration"]) == ("orig sound", "alice", 3)
    cover = image_of(audio.file("thumbnail").data)
    assert cover.format == "JPEG" and max(cover.size) <= 320
    assert audio.params["reply_parameters"]["message_id"] == message["message_id"]

    rows = await music_rows(db_sessions)
    assert [(row.chat_id, row.video_id, row.outcome) for row in rows] == [(USER, POST_ID, Outcome.SUCCESS)]
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    assert _button_states(fake_telegram, message["message_id"]) == [[], [f"music:{POST_ID}"]]


async def test_anyone_in_a_group_may_press_the_sound_button(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    message = await _video_message(fake_telegram, fake_tiktok, media, GROUP, user_id=USER, chat_type="supergroup")
    fake_telegram.press_button(OTHER_MEMBER, message, f"music:{POST_ID}")
    audio = await fake_telegram.wait_for_call("sendAudio", timeout=30)
    assert audio.params["chat_id"] == GROUP


async def test_sound_button_comes_back_after_a_failure_and_works_when_pressed_again(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _video_message(fake_telegram, fake_tiktok, media)
    for proxy in fake_tiktok.proxies:
        proxy.upstream_status = 403
    fake_telegram.press_button(USER, message, f"music:{POST_ID}")

    error = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    assert error.params["text"] == Locales.load().text("en", "error_network")
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    assert _button_states(fake_telegram, message["message_id"]) == [[], [f"music:{POST_ID}"]]
    failed = await music_rows(db_sessions)
    assert [(row.outcome, row.error_kind) for row in failed] == [(Outcome.FAILED, "network")]

    for proxy in fake_tiktok.proxies:
        proxy.upstream_status = None
    fake_telegram.press_button(USER, message, f"music:{POST_ID}")
    audio = await fake_telegram.wait_for_call("sendAudio", timeout=30)
    assert audio.file("audio").data == media.mp3_bytes()
    rows = await music_rows(db_sessions, count=2)
    assert rows[-1].outcome == Outcome.SUCCESS


async def test_a_second_press_is_answered_from_the_cache_without_tiktok(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _video_message(fake_telegram, fake_tiktok, media)
    fake_telegram.press_button(USER, message, f"music:{POST_ID}")
    first = await fake_telegram.wait_for_call("sendAudio", timeout=30)
    await music_rows(db_sessions)
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    fake_tiktok.reset_log()

    fake_telegram.press_button(USER, message, f"music:{POST_ID}")
    calls = await fake_telegram.wait_for_calls("sendAudio", 2, timeout=30)
    assert calls[1].params["audio"] == first.result["audio"]["file_id"]
    assert fake_tiktok.requests == []


async def test_a_stale_cached_sound_is_downloaded_again(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    message = await _video_message(fake_telegram, fake_tiktok, media)
    fake_telegram.press_button(USER, message, f"music:{POST_ID}")
    await fake_telegram.wait_for_call("sendAudio", timeout=30)
    await music_rows(db_sessions)
    await fake_telegram.wait_for_calls("editMessageReplyMarkup", 2, timeout=10)
    fake_telegram.forget_file_ids()

    fake_telegram.press_button(USER, message, f"music:{POST_ID}")
    uploads = await fake_telegram.wait_for_calls("sendAudio", 2, predicate=lambda call: bool(call.files), timeout=30)
    assert uploads[1].ok and uploads[1].file("audio").data == media.mp3_bytes()
    assert any(call.error for call in fake_telegram.calls_of("sendAudio"))  # the stale id was tried first
    rows = await music_rows(db_sessions, count=2)
    assert [row.outcome for row in rows] == [Outcome.SUCCESS, Outcome.SUCCESS]
