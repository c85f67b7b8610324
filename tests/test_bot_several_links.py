"""Several links in one message: each post its own reply, in reading order, within the chat's queue."""

from __future__ import annotations

from data.locales import Locales
from tests.bot_checks import reaction_cleared, video_rows

USER = 1014
GROUP = -1001014
POSTS = [f"73500000000000014{index:02d}" for index in range(6)]


def post_in(caption: str) -> str:
    [post_id] = [post_id for post_id in POSTS if post_id in caption]
    return post_id


async def test_every_distinct_link_of_a_message_is_answered_in_reading_order(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    first, second, third = (fake_tiktok.add_video(post_id) for post_id in POSTS[:3])
    await start_bot()
    words = "and this"
    text = f"look {first.url} {words} then {third.url} again {first.url}"
    start = text.index(words)
    entity = {"type": "text_link", "offset": start, "length": len(words), "url": second.url}

    message = fake_telegram.send_message(USER, text, entities=[entity])
    videos = await fake_telegram.wait_for_calls("sendVideo", 3, timeout=60)

    assert [post_in(call.params["caption"]) for call in videos] == POSTS[:3]
    assert all(call.params["reply_parameters"]["message_id"] == message["message_id"] for call in videos)
    rows = await video_rows(db_sessions, count=3)
    assert sorted(row.video_id for row in rows) == POSTS[:3]
    await reaction_cleared(fake_telegram, USER, message["message_id"])


async def test_a_cached_post_later_in_the_message_waits_for_the_slower_one_before_it(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    slow = fake_tiktok.add_large_video(POSTS[0], size=8 * 1024 * 1024)
    cached = fake_tiktok.add_video(POSTS[1])
    await start_bot()
    fake_telegram.send_message(USER, cached.url)
    await fake_telegram.wait_for_call("sendVideo", timeout=30)
    await video_rows(db_sessions, count=1)
    pages_before = len(fake_tiktok.requests_to("www.tiktok.com"))

    fake_telegram.send_message(USER, f"{slow.url}\n{cached.url}")
    videos = await fake_telegram.wait_for_calls("sendVideo", 3, timeout=60)

    assert [post_in(call.params["caption"]) for call in videos[1:]] == [POSTS[0], POSTS[1]]
    assert isinstance(videos[2].params["video"], str)  # the cached post went out by its file id
    assert len(fake_tiktok.requests_to("www.tiktok.com")) == pages_before + 1


async def test_links_beyond_the_limit_are_skipped_with_one_note(fake_telegram, fake_tiktok, start_bot) -> None:
    posts = [fake_tiktok.add_video(post_id) for post_id in POSTS[:4]]
    await start_bot(MAX_LINKS_PER_MESSAGE="2")

    fake_telegram.send_message(USER, " ".join(post.url for post in posts))
    note = await fake_telegram.wait_for_call("sendMessage", timeout=60)

    assert note.params["text"] == Locales.load().text("en", "links_skipped", taken=2, skipped=2)
    videos = fake_telegram.calls_of("sendVideo")
    assert [post_in(call.params["caption"]) for call in videos] == POSTS[:2]


async def test_links_of_one_message_wait_for_the_chats_slots_instead_of_being_refused(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    posts = [fake_tiktok.add_video(post_id) for post_id in POSTS[:4]]
    await start_bot(MAX_USER_QUEUE_SIZE="1")

    fake_telegram.send_message(USER, "\n".join(post.url for post in posts))
    videos = await fake_telegram.wait_for_calls("sendVideo", 4, timeout=60)

    assert [post_in(call.params["caption"]) for call in videos] == POSTS[:4]
    assert fake_telegram.calls_of("sendMessage") == []  # nobody was told the queue is busy
    await video_rows(db_sessions, count=4)


async def test_several_links_in_a_group_each_get_their_reply(fake_telegram, fake_tiktok, start_bot) -> None:
    posts = [fake_tiktok.add_video(post_id) for post_id in POSTS[:2]]
    await start_bot()

    message = fake_telegram.send_message(GROUP, f"{posts[0].url} {posts[1].url}", user_id=USER, chat_type="supergroup")
    videos = await fake_telegram.wait_for_calls("sendVideo", 2, timeout=60)

    assert [post_in(call.params["caption"]) for call in videos] == POSTS[:2]
    assert all(call.params["chat_id"] == GROUP for call in videos)
    await reaction_cleared(fake_telegram, GROUP, message["message_id"])
