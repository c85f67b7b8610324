"""Telegram answers that are not Bot API answers (a gateway's HTML page, an empty 503, a connection reset
halfway through the answer) are transient server errors: every Bot API call retries them with capped backoff,
and the user still gets the video, the sound, the edit, the answer to a press; a broadcast still reaches all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramServerError

from data.config import TelegramSettings
from data.locales import Locales
from data.models import Outcome
from misc.telegram.bot_factory import create_bot
from misc.telegram.limits import OutgoingRateLimiter, install_telegram_limits
from tests.bot_checks import music_rows, video_rows
from tests.fakes.telegram import FakeTelegram, Misbehaviour

USER = 1041
POST_ID = "7350000000000004101"
LOCALES = Locales.load()


def session_bot(tg: FakeTelegram, **retry: float) -> Bot:
    bot = create_bot(tg.token, TelegramSettings(tg.token, None, tg.base_url, False, ""))
    install_telegram_limits(bot, OutgoingRateLimiter(), **retry)  # type: ignore[arg-type]
    return bot


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = session_bot(fake_telegram, first_backoff=0.05)
    yield bot
    await bot.session.close()


@pytest.mark.parametrize("kind", list(Misbehaviour))
async def test_a_non_answer_is_retried_and_the_message_arrives_once(
    bot: Bot, fake_telegram: FakeTelegram, kind: Misbehaviour
) -> None:
    fake_telegram.misbehave_next("sendMessage", kind, times=2)

    sent = await bot.send_message(USER, "hello")

    assert [call.error for call in fake_telegram.calls_of("sendMessage")] == [kind.recorded_error] * 2 + [None]
    assert [(m["message_id"], m["text"]) for m in fake_telegram.messages(USER)] == [(sent.message_id, "hello")]


async def test_a_gateway_page_that_persists_is_a_server_error_after_the_last_retry(fake_telegram: FakeTelegram) -> None:
    bot = session_bot(fake_telegram, max_retries=2, first_backoff=0.01)
    fake_telegram.misbehave_next("sendMessage", Misbehaviour.HTML_502, times=None)
    try:
        with pytest.raises(TelegramServerError):
            await bot.send_message(USER, "hello")
    finally:
        await bot.session.close()

    assert len(fake_telegram.calls_of("sendMessage")) == 3
    assert fake_telegram.messages(USER) == []


def ok_cleared_reaction(message_id: int):
    return lambda call: call.ok and call.params["message_id"] == message_id and not call.params.get("reaction")


async def test_the_user_gets_the_video_through_a_gateway_page_an_empty_503_and_a_reset(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    video = media.mp4_bytes()
    post = fake_tiktok.add_video(POST_ID, video=video)
    fake_telegram.misbehave_next("setMessageReaction", Misbehaviour.EMPTY_503)
    fake_telegram.misbehave_next("sendVideo", Misbehaviour.HTML_502)
    fake_telegram.misbehave_next("sendVideo", Misbehaviour.RESET)
    message = fake_telegram.send_message(USER, post.url)

    calls = await fake_telegram.wait_for_calls("sendVideo", 3, timeout=30)
    assert [call.error for call in calls] == [
        Misbehaviour.HTML_502.recorded_error,
        Misbehaviour.RESET.recorded_error,
        None,
    ]
    assert calls[2].file("video").data == video
    assert len([sent for sent in fake_telegram.messages(USER) if "video" in sent]) == 1
    assert (await video_rows(db_sessions))[0].outcome == Outcome.SUCCESS
    await fake_telegram.wait_for_call("setMessageReaction", ok_cleared_reaction(message["message_id"]), timeout=15)
    assert fake_telegram.reaction_history(USER, message["message_id"]) == [["👀"], ["👨‍💻"], []]


async def test_a_sound_press_is_answered_and_the_sound_arrives_through_non_answers(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot, media: ModuleType, db_sessions
) -> None:
    sound = fake_tiktok.music(title="orig sound", author="alice", audio=media.mp3_bytes(), duration=3)
    post = fake_tiktok.add_video(POST_ID, author="alice", music=sound)
    fake_telegram.send_message(USER, post.url)
    video = await fake_telegram.wait_for_call("sendVideo", lambda call: call.ok, timeout=30)
    fake_telegram.misbehave_next("answerCallbackQuery", Misbehaviour.RESET)
    fake_telegram.misbehave_next("editMessageReplyMarkup", Misbehaviour.HTML_502)
    fake_telegram.misbehave_next("sendAudio", Misbehaviour.EMPTY_503)

    fake_telegram.press_button(USER, video.result, f"music:{POST_ID}")

    audio = await fake_telegram.wait_for_call("sendAudio", lambda call: call.ok, timeout=30)
    assert audio.file("audio").data == media.mp3_bytes()
    answers = await fake_telegram.wait_for_calls("answerCallbackQuery", 2, timeout=15)
    assert [answer.ok for answer in answers] == [False, True]
    rows = await music_rows(db_sessions)
    assert [(row.chat_id, row.outcome) for row in rows] == [(USER, Outcome.SUCCESS)]
    edits = await fake_telegram.wait_for_calls("editMessageReplyMarkup", 3, timeout=15)
    assert [edit.ok for edit in edits] == [False, True, True]


async def test_a_settings_edit_arrives_through_a_gateway_page(fake_telegram: FakeTelegram, tt_bot) -> None:
    fake_telegram.send_message(USER, "/lang")
    menu = await fake_telegram.wait_for_call("sendMessage")
    fake_telegram.misbehave_next("editMessageText", Misbehaviour.HTML_502, times=2)

    fake_telegram.press_button(USER, menu.result, "lang:ru")

    edit = await fake_telegram.wait_for_call("editMessageText", lambda call: call.ok, timeout=15)
    assert edit.params["text"] == LOCALES.text("ru", "lang_set")
    assert [call.ok for call in fake_telegram.calls_of("editMessageText")] == [False, False, True]
