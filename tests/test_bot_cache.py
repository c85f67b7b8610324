"""The media cache: a repeated post is answered by file id without TikTok; stale ids fall back to a download."""

from __future__ import annotations

from types import ModuleType

from tests.bot_checks import cache_row, video_rows

POST_ID = "7350000000000000501"
FIRST_USER = 1007
SECOND_USER = 2007


async def _first_delivery(fake_telegram, fake_tiktok, db_sessions, post) -> dict:
    fake_telegram.send_message(FIRST_USER, post.url)
    call = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions)
    fake_tiktok.reset_log()
    return call.result


async def test_same_post_from_another_user_and_link_shape_is_sent_by_file_id_without_tiktok(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    first = await _first_delivery(fake_telegram, fake_tiktok, db_sessions, post)

    fake_telegram.send_message(SECOND_USER, f"https://m.tiktok.com/v/{POST_ID}.html")
    repeat = await fake_telegram.wait_for_call("sendVideo", lambda call: call.params["chat_id"] == SECOND_USER)
    assert repeat.params["video"] == first["video"]["file_id"]
    assert repeat.files == {}
    assert post.url in repeat.params["caption"]
    assert fake_tiktok.requests == []
    rows = await video_rows(db_sessions, count=2)
    assert [row.outcome for row in rows] == ["success", "success"]


async def test_short_link_to_a_cached_post_is_answered_from_the_cache(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    short = fake_tiktok.add_short_link("ZMcache1", to=post.url)
    first = await _first_delivery(fake_telegram, fake_tiktok, db_sessions, post)

    fake_telegram.send_message(SECOND_USER, short)
    repeat = await fake_telegram.wait_for_call("sendVideo", lambda call: call.params["chat_id"] == SECOND_USER)
    assert repeat.params["video"] == first["video"]["file_id"]
    assert {request.host for request in fake_tiktok.requests} <= {"vm.tiktok.com"}


async def test_stale_file_id_falls_back_to_a_fresh_download_and_updates_the_cache(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, video=video)
    first = await _first_delivery(fake_telegram, fake_tiktok, db_sessions, post)
    fake_telegram.forget_file_ids()

    fake_telegram.send_message(SECOND_USER, post.url)
    fresh = await fake_telegram.wait_for_call(
        "sendVideo", lambda call: call.params["chat_id"] == SECOND_USER and call.error is None, timeout=30
    )
    assert fresh.file("video").data == video
    assert fake_tiktok.requests != []
    rows = await video_rows(db_sessions, count=2)
    assert rows[-1].outcome == "success"
    cached = await cache_row(db_sessions, POST_ID, "video")
    assert cached is not None and cached.file_ids == [fresh.result["video"]["file_id"]]
    assert cached.file_ids != [first["video"]["file_id"]]


async def test_slideshow_repeat_is_sent_by_file_ids(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    post = fake_tiktok.add_slideshow(POST_ID, images=[media.jpeg_bytes(index) for index in range(3)])
    fake_telegram.send_message(FIRST_USER, post.url)
    await video_rows(db_sessions)
    fake_tiktok.reset_log()

    fake_telegram.send_message(SECOND_USER, post.url)
    caption = await fake_telegram.wait_for_call("sendMessage", lambda call: call.params["chat_id"] == SECOND_USER)
    album = fake_telegram.calls_of("sendMediaGroup")[-1]
    assert album.params["chat_id"] == SECOND_USER and album.files == {}
    assert all(isinstance(item, str) for item in album.media_files())
    assert post.url in caption.params["text"]
    assert fake_tiktok.requests == []


async def test_a_post_pasted_by_many_at_once_is_downloaded_once(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    users = range(6000, 6006)
    for user in users:
        fake_telegram.send_message(user, post.url)

    videos = await fake_telegram.wait_for_calls("sendVideo", len(users), timeout=30)
    assert {call.params["chat_id"] for call in videos} == set(users)
    assert sum(1 for call in videos if call.files) == 1
    pages = [request for request in fake_tiktok.requests if POST_ID in request.path and request.method == "GET"]
    assert len([request for request in pages if "/video/" in request.path]) == 1
    rows = await video_rows(db_sessions, count=len(users))
    assert {row.outcome for row in rows} == {"success"}
