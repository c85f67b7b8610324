"""Guest mode end to end: the bot mentioned in a chat it is not a member of answers through answerGuestQuery."""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.locales import Locales
from tests.bot_checks import callback_data, video_rows
from tests.fakes.telegram import ApiCall, FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.plugins.bot import StartBot

USER = 5014
FRIEND = 6014
CHAT = -1001501501  # a group the bot is not a member of
STORAGE = -1009990014
VIDEO_ID = "7350000000000001501"
SLIDESHOW_ID = "7350000000000001502"
LOCALES = Locales.load()


@pytest.fixture
async def guest_bot(start_bot: StartBot, fake_telegram: FakeTelegram) -> FakeTelegram:
    fake_telegram.add_chat(STORAGE, "channel", title="storage")
    await start_bot(STORAGE_CHANNEL_ID=str(STORAGE))
    return fake_telegram


async def mention(tg: FakeTelegram, text: str, **options) -> tuple[ApiCall, str]:
    """`@bot …` in the chat; the bot's answer and the inline message it became."""
    update = tg.guest_message(CHAT, f"@{tg.bot_username} {text}".strip(), user_id=USER, **options)
    query_id = update["guest_message"]["guest_query_id"]
    answer = await tg.wait_for_call("answerGuestQuery", lambda call: str(call.params["guest_query_id"]) == query_id)
    assert answer.ok
    return answer, answer.result["inline_message_id"]


async def test_an_uncached_post_is_answered_with_a_placeholder_then_edited_to_the_uploaded_video(
    guest_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType, db_sessions
) -> None:
    tg = guest_bot
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(VIDEO_ID, author="alice", video=video)
    answer, inline_message_id = await mention(tg, post.url)

    assert answer.params["result"]["input_message_content"]["message_text"] == LOCALES.text("en", "inline_loading")
    upload = await tg.wait_for_call("sendVideo", timeout=30)
    edit = await tg.wait_for_call("editMessageMedia", timeout=10)
    assert upload.params["chat_id"] == STORAGE and upload.file("video").data == video
    file_id = upload.result["video"]["file_id"]
    assert edit.params["inline_message_id"] == inline_message_id and edit.params["media"]["media"] == file_id
    shown = tg.inline_message(inline_message_id)
    assert shown is not None and tg.file_bytes(shown["video"]["file_id"]) == video
    [row] = await video_rows(db_sessions)
    assert (row.chat_id, row.video_id, row.outcome) == (USER, VIDEO_ID, "success")


async def test_a_cached_post_is_answered_with_its_file_id_at_once_without_tiktok(
    guest_bot: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions
) -> None:
    tg = guest_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    tg.send_message(FRIEND, post.url)  # a chat delivery caches the file id
    sent = await tg.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)
    fake_tiktok.reset_log()

    answer, inline_message_id = await mention(tg, post.url)
    result = answer.params["result"]
    assert result["type"] == "video" and result["video_file_id"] == sent.result["video"]["file_id"]
    assert tg.inline_message(inline_message_id)["video"]["file_id"] == sent.result["video"]["file_id"]
    rows = await video_rows(db_sessions, count=2)
    assert (rows[1].chat_id, rows[1].video_id) == (USER, VIDEO_ID)
    assert fake_tiktok.requests == [] and len(tg.calls_of("sendVideo")) == 1


async def test_a_slideshow_shows_its_first_image_with_arrows(
    guest_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType
) -> None:
    tg = guest_bot
    post = fake_tiktok.add_slideshow(SLIDESHOW_ID, images=[media.jpeg_bytes(index) for index in range(3)])
    _, inline_message_id = await mention(tg, post.url)

    album = await tg.wait_for_call("sendMediaGroup", timeout=30)
    await tg.wait_for_call("editMessageMedia", timeout=10)
    first = tg.file_bytes(album.result[0]["photo"][-1]["file_id"])
    shown = tg.inline_message(inline_message_id)
    assert tg.file_bytes(shown["photo"][-1]["file_id"]) == first
    assert callback_data(shown) == [f"slide:{SLIDESHOW_ID}:2", f"slide:{SLIDESHOW_ID}:0", f"slide:{SLIDESHOW_ID}:1"]


async def test_a_mention_without_a_link_gets_a_short_localized_hint(guest_bot: FakeTelegram, fake_tiktok) -> None:
    answer, inline_message_id = await mention(guest_bot, "hello", language_code="ru")

    hint = LOCALES.text("ru", "guest_no_link")
    assert answer.params["result"]["input_message_content"]["message_text"] == hint
    assert guest_bot.inline_message(inline_message_id)["text"] == hint
    assert fake_tiktok.requests == []


async def test_the_link_is_taken_from_the_message_the_mention_replies_to(
    guest_bot: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = guest_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    shared = tg.unseen_message(CHAT, f"look at this {post.url}", user_id=FRIEND)
    _, inline_message_id = await mention(tg, "", reply_to=shared)

    await tg.wait_for_call("editMessageMedia", timeout=30)
    assert tg.inline_message(inline_message_id)["video"]
    [row] = await video_rows(db_sessions)
    assert row.video_id == VIDEO_ID
