"""TikTok changing its site: the admins hear it from the bot, once, and hear when it is over.

The fake TikTok's `site_changed` moves the post data where yt-dlp does not look, as a redesign would.
"""

from __future__ import annotations

from typing import Any

from yt_dlp.version import __version__ as YTDLP_VERSION

from data.locales import Locales
from data.repositories.users import UserRepository
from tests.fakes.telegram import ApiCall, FakeTelegram
from tests.fakes.tiktok import FakeTikTok, ProxyMode

USER = 1012
ADMIN = 9012
ALERTS = {
    "ADMIN_IDS": f"[{ADMIN}]",
    "EXTRACTION_ALERT_MIN_ATTEMPTS": "4",
    "EXTRACTION_ALERT_THRESHOLD": "0.8",  # all clear below 0.4
    "EXTRACTION_ALERT_WINDOW": "600",
}
UNREAD_PAGE = "Could not read the post page: Unexpected response from webpage request"


def post_id(number: int) -> str:
    return f"73500000000000012{number:02d}"


def to_user(method: str, chat_id: int = USER):
    return lambda call: call.params["chat_id"] == chat_id and call.error is None


async def deliver(fake_telegram: FakeTelegram, link: str, method: str, count: int) -> ApiCall:
    """Send one link and wait for the bot's `count`-th `method` to the user (its answer to this link)."""
    fake_telegram.send_message(USER, link, language_code="ru")
    calls = await fake_telegram.wait_for_calls(method, count, predicate=to_user(method), timeout=60)
    return calls[-1]


def admin_texts(fake_telegram: FakeTelegram) -> list[str]:
    return [message["text"] for message in fake_telegram.messages(ADMIN)]


async def admin_messages(fake_telegram: FakeTelegram, count: int) -> list[str]:
    """The admin's messages once there are `count` (the bot tells admins after the user's answer)."""
    await fake_telegram.wait_for_calls("sendMessage", count, predicate=to_user("sendMessage", ADMIN), timeout=30)
    return admin_texts(fake_telegram)


def alert_text(language: str, key: str, failures: int, attempts: int, rate: str, **values: Any) -> str:
    return Locales.load().text(
        language, key, failures=failures, attempts=attempts, minutes=10, rate=rate, version=YTDLP_VERSION, **values
    )


async def test_admin_is_told_once_when_pages_break_and_once_when_they_are_read_again(
    fake_telegram, fake_tiktok: FakeTikTok, start_bot
) -> None:
    await start_bot(**ALERTS)
    fake_telegram.send_message(ADMIN, "/start", language_code="uk")  # registers the admin, in Ukrainian
    await fake_telegram.wait_for_call("sendMessage", to_user("sendMessage", ADMIN), timeout=30)
    welcome = admin_texts(fake_telegram)
    links = [fake_tiktok.add_video(post_id(number)).url for number in range(13)]
    user_error = Locales.load().text("ru", "error_extraction")

    fake_tiktok.site_changed = True
    for number, link in enumerate(links[:5], start=1):
        answer = await deliver(fake_telegram, link, "sendMessage", number)
        assert answer.params["text"] == user_error  # users still hear why, in their language

    broken = alert_text("uk", "admin_extraction_broken", 4, 4, "100%", error=UNREAD_PAGE)
    assert await admin_messages(fake_telegram, 2) == [*welcome, broken]  # at the 4th failure, not again at the 5th
    assert "100%" in broken and UNREAD_PAGE in broken and YTDLP_VERSION in broken

    fake_tiktok.site_changed = False
    for number, link in enumerate(links[5:], start=1):  # 5 of 5 + n is below 0.4 at the 8th success
        await deliver(fake_telegram, link, "sendVideo", number)

    recovered = alert_text("uk", "admin_extraction_recovered", 5, 13, "38%")
    assert await admin_messages(fake_telegram, 3) == [*welcome, broken, recovered]


async def test_a_sound_press_counts_like_a_link(fake_telegram, fake_tiktok: FakeTikTok, start_bot, media) -> None:
    await start_bot(**(ALERTS | {"EXTRACTION_ALERT_MIN_ATTEMPTS": "3", "EXTRACTION_ALERT_THRESHOLD": "0.6"}))
    sound = fake_tiktok.music(title="orig sound", audio=media.mp3_bytes(), duration=3)
    first = fake_tiktok.add_video(post_id(20), music=sound)
    second = fake_tiktok.add_video(post_id(21))
    video = await deliver(fake_telegram, first.url, "sendVideo", 1)  # one page read

    fake_tiktok.site_changed = True
    await deliver(fake_telegram, second.url, "sendMessage", 1)  # 1 of 2 unread
    fake_telegram.press_button(USER, video.result, f"music:{first.id}")  # 2 of 3

    assert await admin_messages(fake_telegram, 1) == [
        alert_text("en", "admin_extraction_broken", 2, 3, "67%", error=UNREAD_PAGE)
    ]


async def test_an_inline_result_counts_like_a_link(
    fake_telegram, fake_tiktok: FakeTikTok, start_bot, db_sessions
) -> None:
    storage = -1009990012
    fake_telegram.add_chat(storage, "channel", title="storage")
    await UserRepository(db_sessions).register(USER, "private", "ru")
    await start_bot(**(ALERTS | {"EXTRACTION_ALERT_MIN_ATTEMPTS": "2", "STORAGE_CHANNEL_ID": str(storage)}))
    fake_tiktok.site_changed = True
    await deliver(fake_telegram, fake_tiktok.add_video(post_id(50)).url, "sendMessage", 1)  # 1 of 1: too few

    inline = fake_tiktok.add_video(post_id(51)).url
    query = fake_telegram.inline_query(USER, inline, language_code="ru")["inline_query"]["id"]
    answer = await fake_telegram.wait_for_call(
        "answerInlineQuery", lambda call: call.params["inline_query_id"] == query, timeout=30
    )
    [result] = answer.params["results"]
    chosen = fake_telegram.chosen_inline_result(USER, result["id"], inline)["chosen_inline_result"]

    assert await admin_messages(fake_telegram, 1) == [
        alert_text("en", "admin_extraction_broken", 2, 2, "100%", error=UNREAD_PAGE)
    ]
    message = fake_telegram.inline_message(chosen["inline_message_id"])
    assert message["text"] == Locales.load().text("ru", "error_extraction")


async def test_deleted_posts_and_proxy_trouble_never_alarm(fake_telegram, fake_tiktok: FakeTikTok, start_bot) -> None:
    await start_bot(**ALERTS)
    for number in range(5):
        link = fake_tiktok.add_status(post_id(30 + number), 10204).url
        await deliver(fake_telegram, link, "sendMessage", number + 1)
    for proxy in fake_tiktok.proxies:
        proxy.mode = ProxyMode.REFUSE
    for number in range(5):
        await deliver(fake_telegram, fake_tiktok.add_video(post_id(40 + number)).url, "sendMessage", 6 + number)

    answers = [call.params["text"] for call in fake_telegram.calls_of("sendMessage") if call.params["chat_id"] == USER]
    locales = Locales.load()
    assert answers == [locales.text("ru", "error_deleted")] * 5 + [locales.text("ru", "error_network")] * 5
    assert admin_texts(fake_telegram) == []
