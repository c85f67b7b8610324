"""The chat's video quality end to end: chosen in /settings, followed by chats, inline and guest results,
kept apart in the cache, and what arrived recorded in the delivery row."""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.repositories.users import UserRepository
from tests.bot_checks import cache_row, eventually, user_row, video_rows
from tests.fakes.telegram import FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_items import BYTEVC1_720P, H264_540P, H264_1080P
from tests.plugins.bot import StartBot

SAVER_USER = 1601
BEST_USER = 1602
STORAGE = -1009990016
POST_ID = "7350000000000001601"


async def choose_saver(tg: FakeTelegram, user_id: int, sessions: async_sessionmaker[AsyncSession]) -> None:
    tg.send_message(user_id, "/settings")
    menu = await tg.wait_for_call("sendMessage", lambda call: call.params["chat_id"] == user_id)
    tg.press_button(user_id, menu.result, "settings:quality:saver")
    await eventually(lambda: user_row(sessions, user_id), lambda row: row is not None and row.video_quality == "saver")


def three_renditions(fake_tiktok: FakeTikTok):
    return fake_tiktok.add_video_renditions(POST_ID, [(H264_540P, None), (H264_1080P, None), (BYTEVC1_720P, None)])


async def test_saver_and_best_chats_each_get_their_rendition_and_their_own_cached_file(
    fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, tt_bot, media: ModuleType, db_sessions
) -> None:
    post = three_renditions(fake_tiktok)
    await choose_saver(fake_telegram, SAVER_USER, db_sessions)

    fake_telegram.send_message(SAVER_USER, post.url)
    saver = await fake_telegram.wait_for_call("sendVideo", lambda call: call.params["chat_id"] == SAVER_USER, 30)
    assert media.decoded_video(saver.file("video").data)[:3] == ("h264", 576, 1024)

    fake_telegram.send_message(BEST_USER, post.url)
    best = await fake_telegram.wait_for_call("sendVideo", lambda call: call.params["chat_id"] == BEST_USER, 30)
    assert best.file("video") is not None, "a best-quality chat must not get the saver file id"
    assert media.decoded_video(best.file("video").data)[:3] == ("h264", 1080, 1920)

    rows = await video_rows(db_sessions, count=2)
    assert sorted((row.chat_id, row.codec, row.height, row.has_audio) for row in rows) == [
        (SAVER_USER, "h264", 1024, True),
        (BEST_USER, "h264", 1920, True),
    ]
    saver_entry = await cache_row(db_sessions, POST_ID, "video", quality="saver")
    best_entry = await cache_row(db_sessions, POST_ID, "video", quality="best")
    assert saver_entry.file_ids == [saver.result["video"]["file_id"]]
    assert best_entry.file_ids == [best.result["video"]["file_id"]]

    fake_tiktok.reset_log()
    fake_telegram.send_message(SAVER_USER, post.url)
    again = (await fake_telegram.wait_for_calls("sendVideo", 3, timeout=30))[2]
    assert again.params["video"] == saver.result["video"]["file_id"]
    assert fake_tiktok.requests == []


async def test_a_post_with_only_hevc_is_delivered_and_its_row_says_hevc(
    fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, tt_bot, media: ModuleType, db_sessions
) -> None:
    post = fake_tiktok.add_video_renditions("7350000000000001602", [(BYTEVC1_720P, None)])
    fake_telegram.send_message(BEST_USER, post.url)

    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert media.decoded_video(call.file("video").data)[0] == "hevc"
    [row] = await video_rows(db_sessions)
    assert (row.codec, row.height) == ("hevc", 1280)


@pytest.fixture
async def inline_bot(start_bot: StartBot, fake_telegram: FakeTelegram, db_sessions) -> FakeTelegram:
    fake_telegram.add_chat(STORAGE, "channel", title="storage")
    await UserRepository(db_sessions).register(SAVER_USER, "private", "en")
    await start_bot(STORAGE_CHANNEL_ID=str(STORAGE))
    return fake_telegram


async def test_an_inline_result_follows_the_setting_of_the_user_who_asked(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType, db_sessions
) -> None:
    tg = inline_bot
    post = three_renditions(fake_tiktok)
    await choose_saver(tg, SAVER_USER, db_sessions)

    sent = tg.inline_query(SAVER_USER, post.url)
    answer = await tg.wait_for_call(
        "answerInlineQuery", lambda call: call.params["inline_query_id"] == sent["inline_query"]["id"]
    )
    [result] = answer.params["results"]
    tg.chosen_inline_result(SAVER_USER, result["id"], post.url)

    upload = await tg.wait_for_call("sendVideo", timeout=30)
    await tg.wait_for_call("editMessageMedia", timeout=10)
    assert upload.params["chat_id"] == STORAGE
    assert media.decoded_video(upload.file("video").data)[:3] == ("h264", 576, 1024)
    entry = await eventually(lambda: cache_row(db_sessions, POST_ID, "video", quality="saver"), lambda row: row)
    assert entry.file_ids == [upload.result["video"]["file_id"]]


async def test_a_guest_answer_offers_only_the_file_of_the_callers_quality(
    inline_bot: FakeTelegram, fake_tiktok: FakeTikTok, media: ModuleType, db_sessions
) -> None:
    tg = inline_bot
    post = three_renditions(fake_tiktok)
    tg.send_message(BEST_USER, post.url)  # caches the best-quality file id
    best = await tg.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)
    await choose_saver(tg, SAVER_USER, db_sessions)

    tg.guest_message(-1009990099, f"@{tg.bot_username} {post.url}", user_id=SAVER_USER)
    answer = await tg.wait_for_call("answerGuestQuery", timeout=30)
    assert answer.params["result"].get("video_file_id") != best.result["video"]["file_id"]
    upload = (await tg.wait_for_calls("sendVideo", 2, timeout=30))[1]
    assert media.decoded_video(upload.file("video").data)[:3] == ("h264", 576, 1024)
