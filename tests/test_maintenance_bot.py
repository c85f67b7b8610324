"""The maintenance bot: same token, no database, every private message and inline query gets the notice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import maintenance_bot
from data.config import load_settings
from data.locales import Locales
from tests.fakes.telegram import FakeTelegram, Misbehaviour


@pytest.fixture
async def running_maintenance_bot(fake_telegram: FakeTelegram) -> AsyncIterator[FakeTelegram]:
    # DB_URL points at a server that does not exist: the maintenance bot must never need it.
    settings = load_settings(
        environ={
            "BOT_TOKEN": fake_telegram.token,
            "TG_SERVER": fake_telegram.base_url,
            "DB_URL": "postgresql://nobody@127.0.0.1:1/none",
        },
        env_file=None,
    )
    bot, dispatcher = maintenance_bot.build(settings)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1))
    yield fake_telegram
    await dispatcher.stop_polling()
    await asyncio.wait_for(polling, 10)
    await bot.session.close()


@pytest.mark.parametrize("language", ["en", "ru", "ar", "so"])
async def test_private_message_gets_the_localized_maintenance_text(
    running_maintenance_bot: FakeTelegram, language: str
) -> None:
    tg = running_maintenance_bot
    tg.send_message(501, "https://www.tiktok.com/@a/video/1", language_code=language)
    call = await tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 501)
    assert call.params["text"] == Locales.load().text(language, "maintenance")


async def test_inline_query_gets_the_maintenance_article(running_maintenance_bot: FakeTelegram) -> None:
    tg = running_maintenance_bot
    tg.inline_query(502, "https://vm.tiktok.com/ZMabc/", language_code="uk")
    call = await tg.wait_for_call("answerInlineQuery")
    [result] = call.params["results"]
    assert result["input_message_content"]["message_text"] == Locales.load().text("uk", "maintenance")


async def test_group_messages_are_left_alone(running_maintenance_bot: FakeTelegram) -> None:
    tg = running_maintenance_bot
    tg.send_message(-100500, "hello", user_id=503, chat_type="supergroup")
    tg.send_message(504, "ping")
    await tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 504)
    assert not [c for c in tg.calls_of("sendMessage") if c.params["chat_id"] == -100500]


async def test_the_notice_arrives_through_a_gateway_page_and_an_empty_503(
    running_maintenance_bot: FakeTelegram,
) -> None:
    tg = running_maintenance_bot
    tg.misbehave_next("sendMessage", Misbehaviour.HTML_502)
    tg.misbehave_next("sendMessage", Misbehaviour.EMPTY_503)
    tg.send_message(505, "hello")
    call = await tg.wait_for_call("sendMessage", lambda c: c.ok and c.params["chat_id"] == 505, timeout=15)
    assert call.params["text"] == Locales.load().text("en", "maintenance")
    assert [c.ok for c in tg.calls_of("sendMessage")] == [False, False, True]
