"""Non-links, non-TikTok links and uploads get a hint in private chats; groups stay silent."""

from __future__ import annotations

import pytest

from data.locales import Locales

USER = 1005
GROUP = -1005005


@pytest.mark.parametrize(
    "text",
    ["hello there", "https://www.youtube.com/watch?v=abc", "https://evil.example/@alice/video/7350000000000000001"],
    ids=["plain-text", "other-site", "tiktok-path-on-another-host"],
)
async def test_text_without_a_tiktok_link_gets_the_link_hint(fake_telegram, fake_tiktok, tt_bot, text: str) -> None:
    fake_telegram.send_message(USER, text, language_code="uk")
    answer = await fake_telegram.wait_for_call("sendMessage", timeout=10)
    assert answer.params["text"] == Locales.load().text("uk", "not_a_link")
    assert fake_tiktok.requests == []


@pytest.mark.parametrize("kind", ["photo", "video", "voice", "sticker"])
async def test_uploaded_media_gets_the_unsupported_content_hint(fake_telegram, tt_bot, kind: str) -> None:
    getattr(fake_telegram, f"send_{kind}")(USER)
    answer = await fake_telegram.wait_for_call("sendMessage", timeout=10)
    assert answer.params["text"] == Locales.load().text("en", "unsupported_content")


async def test_groups_stay_silent_about_everything_that_is_not_a_tiktok_link(fake_telegram, tt_bot) -> None:
    group = {"user_id": USER, "chat_type": "supergroup"}
    fake_telegram.send_message(GROUP, "hello everyone", **group)
    fake_telegram.send_message(GROUP, "https://www.youtube.com/watch?v=abc", **group)
    fake_telegram.send_photo(GROUP, **group)
    fake_telegram.send_sticker(GROUP, **group)
    # A private message after them: once it is answered, the group messages were handled before it.
    fake_telegram.send_message(USER, "ping")
    await fake_telegram.wait_for_call("sendMessage", lambda call: call.params["chat_id"] == USER, timeout=10)
    assert [call for call in fake_telegram.calls if call.params.get("chat_id") == GROUP] == []


async def test_a_result_sent_through_inline_mode_gets_no_hint(fake_telegram, tt_bot) -> None:
    bot_user = {"id": fake_telegram.bot_id, "is_bot": True, "first_name": "TT Test Bot", "username": "tt_test_bot"}
    user = {"id": USER, "is_bot": False, "first_name": "User", "language_code": "en"}
    fake_telegram.add_update(
        {
            "message": {
                "message_id": 900,
                "date": 1_700_000_000,
                "chat": {"id": USER, "type": "private", "first_name": "User"},
                "from": user,
                "via_bot": bot_user,
                "text": "⏳ Downloading…",
            }
        }
    )
    fake_telegram.send_message(USER, "ping")
    hint = await fake_telegram.wait_for_call("sendMessage", timeout=10)
    assert hint.params["reply_parameters"]["message_id"] != 900
    await fake_telegram.wait_until_consumed()
    assert len(fake_telegram.calls_of("sendMessage")) == 1
