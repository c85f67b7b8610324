"""Every button press is answered: one that no feature takes (an old keyboard, a forged or malformed
payload) gets a short localized "this button has expired", so the user's client stops spinning."""

from __future__ import annotations

import pytest

from data.locales import Locales
from tests.fakes.telegram import FakeTelegram

USER = 1013
LOCALES = Locales.load()


@pytest.mark.parametrize(
    "data",
    [
        "nonsense:1",  # unknown prefix: a keyboard of an older release, or forged
        "lang",  # a known prefix without its fields
        "music:",  # a known prefix with an empty field
        "music:../../etc",  # a known prefix with a forged field
        "\u202e🙂",  # not even ASCII
    ],
)
async def test_a_press_no_feature_takes_is_answered_expired_in_the_users_language(
    fake_telegram: FakeTelegram, tt_bot, data: str
) -> None:
    fake_telegram.send_message(USER, "/lang", language_code="ru")
    menu = await fake_telegram.wait_for_call("sendMessage")
    press = fake_telegram.forge_press(USER, data, message=menu.result)
    answer = await fake_telegram.wait_for_call("answerCallbackQuery")
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    assert answer.params["text"] == LOCALES.text("ru", "button_expired")
    assert fake_telegram.calls_of("editMessageText") == []


async def test_an_unknown_press_on_an_inline_message_is_answered_expired(fake_telegram: FakeTelegram, tt_bot) -> None:
    fake_telegram.send_message(USER, "/help", language_code="uk")
    await fake_telegram.wait_for_call("sendMessage")
    fake_telegram.forge_press(USER, "old:42", inline_message_id="AAAAAAAAAAAAAAAAAAAA")
    answer = await fake_telegram.wait_for_call("answerCallbackQuery")
    assert answer.params["text"] == LOCALES.text("uk", "button_expired")
