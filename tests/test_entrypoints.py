"""The real processes, started the way an operator starts them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from data.locales import Locales
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


def operator_environment(**values: str) -> dict[str, str]:
    """The machine's environment without any tt-bot variable, plus the given ones."""
    ours = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    return {key: value for key, value in os.environ.items() if key not in ours} | values


async def test_main_py_with_only_token_and_server_runs_on_sqlite_and_answers_start(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = operator_environment(BOT_TOKEN=fake_telegram.token, TG_SERVER=fake_telegram.base_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        fake_telegram.send_message(777, "/start", language_code="en")
        reply = await fake_telegram.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 777, timeout=60)
        assert reply.params["text"] == Locales.load().text("en", "start_welcome")
    finally:
        process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    with sqlite3.connect(tmp_path / "tt-bot.sqlite3") as database:
        assert database.execute("SELECT chat_id, chat_type FROM users").fetchall() == [(777, "private")]
    assert fake_telegram.token not in output.decode()
