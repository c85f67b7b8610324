"""The Bot every process builds: its session keeps aiogram's response models alive between calls."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods.base import Response
from aiogram.types import Message, User

from data.config import TelegramSettings
from misc.telegram.bot_factory import create_bot
from tests.fakes.telegram import FakeTelegram


async def test_response_models_survive_garbage_collection_so_they_are_not_rebuilt_per_call(
    fake_telegram: FakeTelegram,
) -> None:
    token = fake_telegram.token
    bot = create_bot(token, TelegramSettings(token, None, fake_telegram.base_url, False, ""))
    try:
        me = await bot.get_me()
        sent = await bot.send_message(42, "hello")
    finally:
        await bot.session.close()
    gc.collect()

    # pydantic caches `Response[T]` weakly: without the session's references these would be gone now.
    assert me.id == fake_telegram.bot_id and sent.text == "hello"
    for returning in (User, Message):
        model = weakref.ref(Response[returning])
        gc.collect()
        assert model() is not None, returning
