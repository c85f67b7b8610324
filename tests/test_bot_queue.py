"""The per-chat queue limit with its "Try again" button, and the process-wide cap on running jobs."""

from __future__ import annotations

from data.locales import Locales
from tests.bot_checks import callback_data, video_rows

USER = 1006
STRANGER = 2006
FIRST_POST = "7350000000000000601"
SECOND_POST = "7350000000000000602"


async def test_second_link_while_the_first_is_in_progress_gets_a_try_again_button_that_works(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    first = fake_tiktok.add_video(FIRST_POST)
    second = fake_tiktok.add_video(SECOND_POST)
    await start_bot(MAX_USER_QUEUE_SIZE="1")
    # Telegram makes the first upload wait 2 s: the first job holds its slot until the upload ends.
    fake_telegram.fail_next("sendVideo", 429, "Too Many Requests: retry after 2", retry_after=2)
    fake_telegram.send_message(USER, first.url)
    await fake_telegram.wait_for_call("sendVideo", timeout=30)

    second_message = fake_telegram.send_message(USER, second.url)
    busy = await fake_telegram.wait_for_call("sendMessage", timeout=10)
    locales = Locales.load()
    assert busy.params["text"] == locales.text("en", "queue_busy", count=1)
    [retry_data] = callback_data(busy.params)
    assert str(USER) in retry_data

    fake_telegram.press_button(STRANGER, busy.result, retry_data)
    refusal = await fake_telegram.wait_for_call("answerCallbackQuery", timeout=10)
    assert refusal.params["text"] == locales.text("en", "not_your_button")

    await video_rows(db_sessions)  # the first link is done: its slot is free again
    fake_telegram.press_button(USER, busy.result, retry_data)
    videos = await fake_telegram.wait_for_calls("sendVideo", 3, timeout=30)
    assert SECOND_POST in videos[-1].params["caption"]
    assert videos[-1].params["reply_parameters"]["message_id"] == second_message["message_id"]
    rows = await video_rows(db_sessions, count=2)
    assert {row.video_id for row in rows} == {FIRST_POST, SECOND_POST}


async def test_max_concurrent_jobs_caps_downloads_in_the_whole_process(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    users = range(3000, 3008)
    # Big enough that downloads of different jobs overlap when nothing holds them back.
    posts = [fake_tiktok.add_large_video(f"73500000000000007{index:02d}", size=10 * 1024 * 1024)
             for index in range(len(users))]  # fmt: skip
    await start_bot(MAX_CONCURRENT_JOBS="2")
    for user, post in zip(users, posts, strict=True):
        fake_telegram.send_message(user, post.url)

    rows = await video_rows(db_sessions, count=len(users))
    assert all(row.outcome == "success" for row in rows)
    # Each job fetches its video and its cover at the same time: two jobs, at most four media responses.
    assert 1 <= fake_tiktok.concurrent_media_peak <= 2 * 2


async def test_a_group_over_its_queue_limit_sees_a_sad_reaction_on_the_extra_link(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    group = -1006006
    first = fake_tiktok.add_video(FIRST_POST)
    second = fake_tiktok.add_video(SECOND_POST)
    await start_bot(MAX_USER_QUEUE_SIZE="1")
    fake_telegram.fail_next("sendVideo", 429, "Too Many Requests: retry after 2", retry_after=2)
    fake_telegram.send_message(group, first.url, user_id=USER, chat_type="supergroup")
    await fake_telegram.wait_for_call("sendVideo", timeout=30)

    extra = fake_telegram.send_message(group, second.url, user_id=STRANGER, chat_type="supergroup")
    await fake_telegram.wait_for_call(
        "setMessageReaction", lambda call: call.params["message_id"] == extra["message_id"], timeout=10
    )
    assert fake_telegram.reactions(group, extra["message_id"]) == [{"type": "emoji", "emoji": "😢"}]
    await fake_telegram.wait_for_call("sendMessage", timeout=10)
    [note] = fake_telegram.ephemeral_messages(group)  # why: told to the sender alone
    assert note["receiver_user"]["id"] == STRANGER
    assert note["text"] == Locales.load().text("en", "queue_busy", count=1)
    assert not any("text" in message for message in fake_telegram.messages(group))  # no public text
    rows = await video_rows(db_sessions)
    assert [row.video_id for row in rows] == [FIRST_POST]
