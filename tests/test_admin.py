"""Admin commands through the real bot and the fake Telegram: /msg and /export, and silence for everyone else."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.repositories.users import UserRepository
from tests.fakes.telegram import ApiCall, FakeTelegram
from tests.plugins.bot import StartBot

ADMIN = 900
STRANGER = 901


def to_chat(chat_id: int):
    return lambda call: call.params.get("chat_id") == chat_id


@pytest.fixture
async def admin_bot(start_bot: StartBot, fake_telegram: FakeTelegram) -> FakeTelegram:
    await start_bot(ADMIN_IDS=f"[{ADMIN}]")
    return fake_telegram


async def admin_reply(tg: FakeTelegram, method: str = "sendMessage") -> ApiCall:
    return await tg.wait_for_call(method, to_chat(ADMIN))


async def test_msg_delivers_the_text_with_its_formatting_and_reports_sent(admin_bot: FakeTelegram) -> None:
    tg = admin_bot
    tg.send_message(42, "/start")
    await tg.wait_for_call("sendMessage", to_chat(42))
    text = "/msg 42 Hello <there>\nsecond line"
    bold = {"type": "bold", "offset": text.index("Hello"), "length": len("Hello")}
    tg.send_message(ADMIN, text, entities=[{"type": "bot_command", "offset": 0, "length": 4}, bold])

    delivered = await tg.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == 42 and "Hello" in c.params["text"]
    )
    assert delivered.params["text"] == "<b>Hello</b> &lt;there&gt;\nsecond line"
    assert delivered.params["parse_mode"] == "HTML"
    report = await admin_reply(tg)
    assert report.params["text"].startswith("✅ Sent to <code>42</code>")


async def test_msg_to_a_user_who_blocked_the_bot_reports_blocked_and_marks_them(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    users = UserRepository(db_sessions)
    await users.register(43, "private", "en")
    tg.block_bot(43)
    tg.send_message(ADMIN, "/msg 43 hi")

    report = await admin_reply(tg)
    assert report.params["text"].startswith("⛔ Not delivered: <code>43</code> blocked the bot")
    profile = await users.get(43)
    assert profile is not None and profile.blocked


async def test_msg_bad_request_is_reported_with_telegrams_reason(admin_bot: FakeTelegram) -> None:
    tg = admin_bot
    tg.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=44)
    tg.send_message(ADMIN, "/msg 44 hi")

    report = await admin_reply(tg)
    assert report.params["text"] == "❌ Bad request for <code>44</code>: Bad Request: chat not found"


@pytest.mark.parametrize("command", ["/msg", "/msg 45", "/msg someone hello"])
async def test_msg_without_a_chat_id_and_text_shows_usage(admin_bot: FakeTelegram, command: str) -> None:
    tg = admin_bot
    tg.send_message(ADMIN, command)

    report = await admin_reply(tg)
    assert report.params["text"].startswith("Usage: <code>/msg")
    assert [call.params["chat_id"] for call in tg.calls_of("sendMessage")] == [ADMIN]


async def test_export_sends_private_users_who_have_not_blocked_the_bot(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    users = UserRepository(db_sessions)
    for chat_id in (11, 12, 13):
        await users.register(chat_id, "private", "en")
    await users.register(-100777, "supergroup", "en")
    await users.register(14, "private", "en")
    await users.mark_blocked(14)
    tg.send_message(ADMIN, "/export")

    document = await admin_reply(tg, "sendDocument")
    uploaded = document.file("document")
    assert uploaded is not None and uploaded.filename == "user_ids.txt"
    assert uploaded.data.decode().split() == ["11", "12", "13"]
    assert document.params["caption"].startswith("3 private users")


@pytest.mark.parametrize("command", ["/msg 42 you are hacked", "/export", "/broadcast"])
async def test_admin_commands_from_anyone_else_get_no_answer_at_all(admin_bot: FakeTelegram, command: str) -> None:
    tg = admin_bot
    tg.send_message(STRANGER, command)
    tg.send_message(STRANGER, "/help")  # a marker: once it is answered, the command was handled before it

    await tg.wait_for_call("sendMessage", to_chat(STRANGER))
    answered = [call for call in tg.calls if call.params.get("chat_id") in (STRANGER, 42)]
    assert [call.method for call in answered] == ["sendMessage"]
    assert "/mode" in answered[0].params["text"]  # the help text, nothing else
    assert not tg.calls_of("sendDocument")


async def test_admin_commands_in_a_group_are_ignored_even_from_an_admin(admin_bot: FakeTelegram) -> None:
    tg = admin_bot
    tg.send_message(-100555, "/msg 42 hi", user_id=ADMIN, chat_type="supergroup")
    tg.send_message(ADMIN, "/help")

    await tg.wait_for_call("sendMessage", to_chat(ADMIN))
    assert not [call for call in tg.calls if call.params.get("chat_id") in (-100555, 42)]
