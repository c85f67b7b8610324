"""The real processes, started the way an operator starts them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from data.locales import Locales
from tests.fakes.telegram import FakeTelegram
from tests.processes import operator_environment, start_process, stop_process


async def test_main_py_with_only_token_and_server_runs_on_sqlite_and_answers_start(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = operator_environment(BOT_TOKEN=fake_telegram.token, TG_SERVER=fake_telegram.base_url)
    process = await start_process("main.py", env, tmp_path)
    try:
        fake_telegram.send_message(777, "/start", language_code="en")
        reply = await fake_telegram.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 777, timeout=60)
        assert reply.params["text"] == Locales.load().text("en", "start_welcome")
    finally:
        output = await stop_process(process)
    assert process.returncode == 0, output
    with sqlite3.connect(tmp_path / "tt-bot.sqlite3") as database:
        assert database.execute("SELECT chat_id, chat_type FROM users").fetchall() == [(777, "private")]
    assert fake_telegram.token not in output
