"""Inline mode end to end: the real bot answers queries from the fake Telegram and fetches from the fake TikTok."""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import DeliverySource
from data.locales import Locales
from data.models import MediaKind, Outcome
from data.repositories.users import UserRepository
from tests.bot_checks import cache_row, callback_data, video_rows
from tests.fakes.telegram import ApiCall, FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.plugins.bot import StartBot

USER = 4001
STORAGE = -1009990001
VIDEO_ID = "7350000000000000401"
SLIDESHOW_ID = "7350000000000000402"
LOCALES = Locales.load()


@pytest.fixture
async def inline_bot(
    start_bot: StartBot, fake_telegram: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> FakeTelegram:
    fake_telegram.add_chat(STORAGE, "channel", title="storage")
    await UserRepository(db_sessions).register(USER, "private", "en")
    await start_bot(STORAGE_CHANNEL_ID=str(STORAGE))
    return fake_telegram


async def ask(tg: FakeTelegram, query: str, user_id: int = USER, **options: Any) -> ApiCall:
    """Type `@bot <query>`; the bot's answer to exactly this query."""
    sent = tg.inline_query(user_id, query, **options)
    query_id = sent["inline_query"]["id"]
    return await tg.wait_for_call("answerInlineQuery", lambda call: call.params["inline_query_id"] == query_id)


async def choose(tg: FakeTelegram, answer: ApiCall, query: str, user_id: int = USER) -> str | None:
    """Pick the offered result; its inline_message_id (None for a result without a keyboard)."""
    [result] = answer.params["results"]
    update = tg.chosen_inline_result(user_id, result["id"], query)
    return update["chosen_inline_result"].get("inline_message_id")


async def test_a_link_is_answered_at_once_with_one_loading_result_before_any_download(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    fake_tiktok.reset_log()
    asked_at = time.monotonic()
    answer = await ask(tg, f"look {post.url}")

    assert answer.ok and answer.at - asked_at < 1.0
    [result] = answer.params["results"]
    assert result["type"] == "article"
    assert result["input_message_content"]["message_text"] == LOCALES.text("en", "inline_loading")
    assert callback_data(result) == ["inline:wait"]
    assert result["id"].startswith(f"d{VIDEO_ID}-") and len(result["id"].encode()) <= 64
    assert fake_tiktok.requests == []


async def test_an_unregistered_user_gets_the_start_the_bot_button(inline_bot: FakeTelegram, fake_tiktok) -> None:
    answer = await ask(inline_bot, fake_tiktok.add_video(VIDEO_ID).url, user_id=4999, language_code="ru")

    assert answer.params["results"] == []
    assert answer.params["button"] == {"text": LOCALES.text("ru", "inline_start_bot"), "start_parameter": "inline"}


@pytest.mark.parametrize("query", ["hello", "https://example.com/@a/video/7350000000000000401", ""])
async def test_anything_but_a_tiktok_link_gets_the_not_a_valid_link_article(
    inline_bot: FakeTelegram, db_sessions, query: str
) -> None:
    await UserRepository(db_sessions).register(4002, "private", "uk")
    answer = await ask(inline_bot, query, user_id=4002, language_code="uk")

    [result] = answer.params["results"]
    assert result["title"] == LOCALES.text("uk", "inline_not_a_link_title")
    assert result["input_message_content"]["message_text"] == LOCALES.text("uk", "inline_not_a_link_text")


async def test_result_ids_stay_under_64_bytes_whatever_the_query(inline_bot: FakeTelegram) -> None:
    query = "https://www.tiktok.com/@a/video/" + "7" * 180 + " ✨" * 30
    answer = await ask(inline_bot, query)

    [result] = answer.params["results"]
    assert answer.ok and len(result["id"].encode()) <= 64


async def test_a_chosen_video_is_uploaded_to_the_storage_channel_and_the_inline_message_edited_to_it(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType, db_sessions
) -> None:
    tg = inline_bot
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(VIDEO_ID, author="alice", video=video, width=576, height=1024, duration=3)
    answer = await ask(tg, post.url)
    inline_message_id = await choose(tg, answer, post.url)

    upload = await tg.wait_for_call("sendVideo", timeout=30)
    edit = await tg.wait_for_call("editMessageMedia", timeout=10)
    assert upload.params["chat_id"] == STORAGE and upload.file("video").data == video
    file_id = upload.result["video"]["file_id"]
    assert edit.params["inline_message_id"] == inline_message_id
    assert edit.params["media"]["media"] == file_id and edit.params["media"]["type"] == "video"
    shown = tg.inline_message(inline_message_id)
    assert shown is not None and tg.file_bytes(shown["video"]["file_id"]) == video
    assert "@alice" in shown["caption"] and post.url in edit.params["media"]["caption"]
    [row] = await video_rows(db_sessions)
    assert (row.chat_id, row.video_id, row.kind, row.is_inline, row.outcome) == (
        USER, VIDEO_ID, MediaKind.VIDEO, True, Outcome.SUCCESS,
    )  # fmt: skip
    assert row.source == DeliverySource.INLINE
    assert (await cache_row(db_sessions, VIDEO_ID, "video")).file_ids == [file_id]


async def test_a_short_link_is_resolved_once_the_result_is_chosen(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    short = fake_tiktok.add_short_link("ZMinl1", to=post.url)
    answer = await ask(tg, short)
    assert answer.params["results"][0]["id"].startswith("d-")
    inline_message_id = await choose(tg, answer, short)

    await tg.wait_for_call("editMessageMedia", timeout=30)
    assert tg.inline_message(inline_message_id)["video"]


async def test_a_cached_post_is_offered_as_a_ready_video_without_contacting_tiktok(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    tg.send_message(USER, post.url)  # the chat flow caches the file id
    sent = await tg.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)
    fake_tiktok.reset_log()

    answer = await ask(tg, post.url)
    [result] = answer.params["results"]
    assert result["type"] == "video" and result["video_file_id"] == sent.result["video"]["file_id"]
    assert post.url in result["caption"]
    assert await choose(tg, answer, post.url) is None
    rows = await video_rows(db_sessions, count=2)
    assert (rows[1].chat_id, rows[1].video_id, rows[1].is_inline, rows[1].outcome) == (
        USER, VIDEO_ID, True, Outcome.SUCCESS,
    )  # fmt: skip
    assert fake_tiktok.requests == []


def slide_shown(tg: FakeTelegram, inline_message_id: str) -> tuple[bytes, list[str]]:
    message = tg.inline_message(inline_message_id)
    assert message is not None
    photo = message["photo"][-1]["file_id"]
    return tg.file_bytes(photo), callback_data(message)


async def test_a_slideshow_shows_one_image_at_a_time_with_working_arrows(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType, db_sessions
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_slideshow(SLIDESHOW_ID, images=[media.jpeg_bytes(index) for index in range(3)])
    answer = await ask(tg, post.url)
    inline_message_id = await choose(tg, answer, post.url)

    album = await tg.wait_for_call("sendMediaGroup", timeout=30)
    await tg.wait_for_call("editMessageMedia", timeout=10)
    assert album.params["chat_id"] == STORAGE
    images = [tg.file_bytes(message["photo"][-1]["file_id"]) for message in album.result]
    first, buttons = slide_shown(tg, inline_message_id)
    assert first == images[0]
    assert buttons == [f"slide:{SLIDESHOW_ID}:2", f"slide:{SLIDESHOW_ID}:0", f"slide:{SLIDESHOW_ID}:1"]

    tg.press_inline_button(USER, inline_message_id, f"slide:{SLIDESHOW_ID}:1")
    await tg.wait_for_calls("editMessageMedia", 2)
    assert slide_shown(tg, inline_message_id)[0] == images[1]
    tg.press_inline_button(USER, inline_message_id, f"slide:{SLIDESHOW_ID}:0")
    await tg.wait_for_calls("editMessageMedia", 3)
    tg.press_inline_button(USER, inline_message_id, f"slide:{SLIDESHOW_ID}:2")  # ◀️ from the first wraps around
    await tg.wait_for_calls("editMessageMedia", 4)
    assert slide_shown(tg, inline_message_id)[0] == images[2]
    await tg.wait_for_calls("answerCallbackQuery", 3)
    [row] = await video_rows(db_sessions)
    assert (row.kind, row.is_inline, row.outcome) == (MediaKind.SLIDESHOW, True, Outcome.SUCCESS)


async def test_an_error_turns_the_inline_message_into_the_localized_error_text(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_status(VIDEO_ID, 10216)
    await UserRepository(db_sessions).register(4003, "private", "ru")
    answer = await ask(tg, post.url, user_id=4003, language_code="ru")
    inline_message_id = await choose(tg, answer, post.url, user_id=4003)

    await tg.wait_for_call("editMessageText", timeout=30)
    message = tg.inline_message(inline_message_id)
    assert message["text"] == LOCALES.text("ru", "error_private")
    assert not message.get("reply_markup")
    [row] = await video_rows(db_sessions)
    assert (row.is_inline, row.outcome, row.error_kind) == (True, Outcome.FAILED, "private")


async def test_a_cached_post_whose_file_telegram_forgot_is_offered_for_download_again(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions
) -> None:
    tg = inline_bot
    post = fake_tiktok.add_video(VIDEO_ID)
    tg.send_message(USER, post.url)
    await tg.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)
    tg.forget_file_ids()

    sent = tg.inline_query(USER, post.url)
    query_id = sent["inline_query"]["id"]
    refused, answered = await tg.wait_for_calls(
        "answerInlineQuery", 2, predicate=lambda call: call.params["inline_query_id"] == query_id
    )
    assert refused.error is not None and "wrong file identifier" in refused.error[1]
    assert answered.ok and answered.params["results"][0]["type"] == "article"
    assert await cache_row(db_sessions, VIDEO_ID, "video") is None


async def test_without_a_storage_channel_a_fresh_post_ends_in_an_error_text(
    start_bot: StartBot, fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, db_sessions
) -> None:
    tg = fake_telegram
    await UserRepository(db_sessions).register(USER, "private", "en")
    await start_bot()
    post = fake_tiktok.add_video(VIDEO_ID)
    answer = await ask(tg, post.url)
    inline_message_id = await choose(tg, answer, post.url)

    await tg.wait_for_call("editMessageText", timeout=30)
    assert tg.inline_message(inline_message_id)["text"] == LOCALES.text("en", "error_unknown")
    assert not tg.calls_of("sendVideo")
    [row] = await video_rows(db_sessions)
    assert (row.is_inline, row.outcome) == (True, Outcome.FAILED)
