"""Failures get their own localized message in private chats, only 😢 in groups, and a failed row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from data.locales import Locales
from data.models import Outcome
from tests.bot_checks import video_rows
from tests.fakes.tiktok import FakeTikTok, ProxyMode

POST_ID = "7350000000000000401"
USER = 1004
GROUP = -1004004


@dataclass(frozen=True)
class Case:
    kind: str
    make_link: Callable[[FakeTikTok], str]
    env: dict[str, str] = field(default_factory=dict)
    limit: str = ""


def _status(code: int) -> Callable[[FakeTikTok], str]:
    return lambda tiktok: tiktok.add_status(POST_ID, code).url


def _refuse_all(tiktok: FakeTikTok) -> str:
    for proxy in tiktok.proxies:
        proxy.mode = ProxyMode.REFUSE
    return f"https://www.tiktok.com/@alice/video/{POST_ID}"


CASES = {
    "deleted": Case("deleted", _status(10204)),
    "private": Case("private", _status(10216)),
    "region": Case("region", _status(10231)),
    "age_restricted": Case("login_required", lambda tiktok: tiktok.add_age_restricted(POST_ID).url),
    "too_long": Case(
        "too_long", lambda tiktok: tiktok.add_video(POST_ID, duration=120).url, {"MAX_VIDEO_DURATION": "60"}, "1"
    ),
    "too_large": Case(
        "too_large", lambda tiktok: tiktok.add_large_video(POST_ID, size=60 * 1024 * 1024).url, limit="50"
    ),
    "invalid_link": Case("invalid_link", lambda tiktok: tiktok.add_short_link("evil1", to="https://evil.example/x")),
    "network": Case("network", _refuse_all),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_failure_gets_its_localized_message_in_a_private_chat(
    case: Case, fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    link = case.make_link(fake_tiktok)
    await start_bot(**case.env)
    message = fake_telegram.send_message(USER, link, language_code="ru")

    answer = await fake_telegram.wait_for_call("sendMessage", timeout=60)
    assert answer.params["text"] == Locales.load().text("ru", f"error_{case.kind}", limit=case.limit)
    assert answer.params["reply_parameters"]["message_id"] == message["message_id"]
    rows = await video_rows(db_sessions)
    assert [(row.chat_id, row.outcome, row.error_kind) for row in rows] == [(USER, Outcome.FAILED, case.kind)]
    assert fake_telegram.reactions(USER, message["message_id"]) == [{"type": "emoji", "emoji": "😢"}]
    assert fake_telegram.calls_of("sendVideo") == []


@pytest.mark.parametrize("case", [CASES["deleted"], CASES["network"]], ids=["deleted", "network"])
async def test_failure_in_a_group_shows_the_group_only_a_sad_reaction(
    case: Case, fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    link = case.make_link(fake_tiktok)
    await start_bot(**case.env)
    message = fake_telegram.send_message(GROUP, link, user_id=USER, chat_type="supergroup")

    rows = await video_rows(db_sessions)
    assert [(row.chat_id, row.outcome, row.error_kind) for row in rows] == [(GROUP, Outcome.FAILED, case.kind)]
    await fake_telegram.wait_for_call("setMessageReaction", lambda call: "😢" in str(call.params), timeout=10)
    assert fake_telegram.reactions(GROUP, message["message_id"]) == [{"type": "emoji", "emoji": "😢"}]
    assert fake_telegram.messages(GROUP) == []  # the reason goes to the sender alone (test_bot_group_notes.py)


async def test_profile_link_without_a_post_is_an_invalid_link(fake_telegram, fake_tiktok, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "https://www.tiktok.com/@alice")
    answer = await fake_telegram.wait_for_call("sendMessage", timeout=30)
    assert answer.params["text"] == Locales.load().text("en", "error_invalid_link")
    rows = await video_rows(db_sessions)
    assert rows[0].error_kind == "invalid_link"
    assert "evil.example" not in fake_tiktok.hosts_contacted()


async def test_redirect_to_a_foreign_host_is_never_followed(fake_telegram, fake_tiktok, tt_bot, db_sessions) -> None:
    link = fake_tiktok.add_short_link("evil2", to="https://evil.example/steal")
    fake_telegram.send_message(USER, link)
    await video_rows(db_sessions)
    assert "evil.example" not in fake_tiktok.hosts_contacted()
