"""Telegram's refusals: 429 waited out, 5xx retried, 403 marks the user blocked, outgoing rate limited."""

from __future__ import annotations

from types import ModuleType

import pytest

from data.models import Outcome
from tests.bot_checks import eventually, user_row, video_rows

POST_ID = "7350000000000000801"
USER = 1008
SEND_METHODS = {"sendMessage", "sendVideo", "sendPhoto", "sendMediaGroup", "sendAudio", "sendDocument"}


async def test_429_on_send_video_is_waited_out_and_the_video_arrives(
    fake_telegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, video=video)
    fake_telegram.fail_next("sendVideo", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake_telegram.send_message(USER, post.url)

    refused, delivered = await fake_telegram.wait_for_calls("sendVideo", 2, timeout=30)
    assert refused.error is not None and refused.error[0] == 429
    assert delivered.error is None and delivered.file("video").data == video
    assert delivered.at - refused.at >= 1.0
    assert (await video_rows(db_sessions))[0].outcome == Outcome.SUCCESS


async def test_server_errors_are_retried_with_backoff(fake_telegram, fake_tiktok, tt_bot, db_sessions) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.fail_next("sendVideo", 500, "Internal Server Error", times=2)
    fake_telegram.send_message(USER, post.url)

    calls = await fake_telegram.wait_for_calls("sendVideo", 3, timeout=30)
    assert [call.error[0] if call.error else None for call in calls] == [500, 500, None]
    assert calls[2].at - calls[1].at > calls[1].at - calls[0].at  # the pause grows
    assert (await video_rows(db_sessions))[0].outcome == Outcome.SUCCESS


async def test_user_who_blocked_the_bot_is_marked_blocked_and_nothing_more_is_sent(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.fail_next("sendVideo", 403, "Forbidden: bot was blocked by the user", times=None)
    fake_telegram.send_message(USER, post.url)

    rows = await video_rows(db_sessions)
    assert [(row.outcome, row.error_kind) for row in rows] == [(Outcome.FAILED, "blocked")]
    user = await eventually(lambda: user_row(db_sessions, USER), lambda found: found is not None and found.blocked)
    assert user.blocked
    assert len(fake_telegram.calls_of("sendVideo")) == 1
    assert fake_telegram.calls_of("sendMessage") == []


@pytest.mark.usefixtures("no_collector_pauses")
async def test_a_burst_of_forty_users_never_exceeds_thirty_sends_per_second(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.send_message(USER, post.url)
    await video_rows(db_sessions)  # cached now: the burst is answered as fast as Telegram allows

    for user in range(5000, 5040):
        fake_telegram.send_message(user, post.url)
    await video_rows(db_sessions, count=41)
    assert len(fake_telegram.calls_of("sendVideo")) == 41
    assert fake_telegram.max_calls_in_window(SEND_METHODS, window=1.0) <= 30
