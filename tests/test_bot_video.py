"""Links in chats become videos: bytes, metadata, thumbnail, caption, sound button, reactions, rows."""

from __future__ import annotations

from types import ModuleType

from data.locales import Locales
from data.models import MediaKind, Outcome
from tests.bot_checks import (
    cache_row,
    callback_data,
    eventually,
    image_of,
    reaction_cleared,
    reply_allows_missing_message,
    user_row,
    video_rows,
)

POST_ID = "7350000000000000101"
USER = 1001


async def test_link_in_private_chat_gets_the_video_with_metadata_thumbnail_caption_and_sound_button(
    fake_telegram, fake_tiktok, start_bot, media: ModuleType, db_sessions
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, author="alice", desc="hello <b>world</b> & co", video=video,
                                 width=576, height=1024, duration=3, cover=media.jpeg_bytes())  # fmt: skip
    await start_bot(BOT_TAG="@tiktok_saver_bot")

    message = fake_telegram.send_message(USER, f"look at this {post.url} !")
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)

    assert call.error is None
    assert call.file("video").data == video
    assert (call.params["width"], call.params["height"], call.params["duration"]) == (576, 1024, 3)
    assert call.params["supports_streaming"] is True
    thumbnail = call.file("thumbnail")
    assert thumbnail is not None and len(thumbnail.data) < 200 * 1024
    picture = image_of(thumbnail.data)
    assert picture.format == "JPEG" and max(picture.size) <= 320
    caption = call.params["caption"]
    assert post.url in caption and "@alice" in caption and "@tiktok_saver_bot" in caption
    assert "&lt;b&gt;world&lt;/b&gt; &amp; co" in caption  # the description is escaped HTML
    assert callback_data(call.params) == [f"music:{POST_ID}"]
    assert call.params["reply_parameters"]["message_id"] == message["message_id"]
    assert reply_allows_missing_message(call.params)

    rows = await video_rows(db_sessions)
    assert [(row.chat_id, row.video_id, row.kind, row.outcome) for row in rows] == [
        (USER, POST_ID, MediaKind.VIDEO, Outcome.SUCCESS)
    ]
    assert rows[0].bytes == len(video) and rows[0].error_kind is None
    await reaction_cleared(fake_telegram, USER, message["message_id"])
    assert fake_telegram.reaction_history(USER, message["message_id"]) == [["👀"], ["👨‍💻"], []]


async def test_a_chat_whose_first_message_is_a_link_is_registered_without_referral_or_welcome(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.send_message(USER, post.url, language_code="ru")
    await fake_telegram.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)

    user = await user_row(db_sessions, USER)
    assert user is not None and user.referral is None and user.language == "ru"
    assert fake_telegram.calls_of("sendMessage") == []


async def test_bot_tag_defaults_to_the_bots_username(fake_telegram, fake_tiktok, tt_bot) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.send_message(USER, post.url)
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert f"@{fake_telegram.bot_username}" in call.params["caption"]


async def test_file_mode_sends_the_original_bytes_as_a_document(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, video=video)
    fake_telegram.send_message(USER, "/mode")
    answer = await fake_telegram.wait_for_call("sendMessage", timeout=10)
    assert answer.params["text"] == Locales.load().text("en", "mode_file")

    fake_telegram.send_message(USER, post.url)
    call = await fake_telegram.wait_for_call("sendDocument", timeout=30)
    assert call.file("document").data == video
    assert callback_data(call.params) == [f"music:{POST_ID}"]
    assert fake_telegram.calls_of("sendVideo") == []
    await eventually(lambda: cache_row(db_sessions, POST_ID, "video_document"), lambda row: row is not None)


async def test_link_behind_hyperlinked_words_is_downloaded(fake_telegram, fake_tiktok, tt_bot) -> None:
    post = fake_tiktok.add_video(POST_ID)
    text = "watch this"
    entity = {"type": "text_link", "offset": 0, "length": len(text), "url": post.url}
    fake_telegram.send_message(USER, text, entities=[entity])
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert POST_ID in call.params["caption"]


async def test_photo_whose_caption_holds_a_link_is_downloaded(fake_telegram, fake_tiktok, tt_bot) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.send_photo(USER, caption=f"this one: {post.url}")
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert POST_ID in call.params["caption"]


async def test_user_who_deleted_their_message_still_gets_the_video(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, video=video)
    message = fake_telegram.send_message(USER, post.url)
    fake_telegram.delete_user_message(USER, message["message_id"])

    call = await fake_telegram.wait_for_call("sendVideo", lambda call: call.error is None, timeout=30)
    assert call.file("video").data == video
    assert reply_allows_missing_message(call.params)


async def test_link_in_a_group_gets_the_video_too(fake_telegram, fake_tiktok, tt_bot, db_sessions) -> None:
    group = -1001234
    post = fake_tiktok.add_video(POST_ID)
    message = fake_telegram.send_message(group, post.url, user_id=USER, chat_type="supergroup")
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert call.params["chat_id"] == group
    rows = await video_rows(db_sessions)
    assert rows[0].chat_id == group and rows[0].outcome == Outcome.SUCCESS
    await reaction_cleared(fake_telegram, group, message["message_id"])
    assert fake_telegram.reaction_history(group, message["message_id"]) == [["👀"], ["👨‍💻"], []]


async def test_where_reactions_are_not_allowed_a_waiting_reply_stands_in_and_goes_away(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    group = -1001235
    fake_telegram.set_reactions_allowed(group, False)
    post = fake_tiktok.add_video(POST_ID)
    message = fake_telegram.send_message(group, post.url, user_id=USER, chat_type="supergroup")

    waiting = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    assert waiting.params["text"] == "⏳"
    assert waiting.params["reply_parameters"]["message_id"] == message["message_id"]
    await fake_telegram.wait_for_call("sendVideo", timeout=30)
    deleted = await fake_telegram.wait_for_call("deleteMessage", timeout=10)
    assert deleted.params["message_id"] == waiting.result["message_id"]
    assert waiting.result["message_id"] not in [sent["message_id"] for sent in fake_telegram.messages(group)]
