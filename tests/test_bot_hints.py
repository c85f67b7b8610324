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
