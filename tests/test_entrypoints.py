"""The real processes, started the way an operator starts them."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data.locales import Locales
from tests.fakes.telegram import FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.processes import ROOT, free_port, operator_environment, start_process, stop_process


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


# ---- start-up: one line for a bad setting, waiting for Telegram, signals in any phase ----

ENTRY_POINTS = {"main.py": "BOT_TOKEN", "stats.py": "STATS_BOT_TOKEN", "maintenance_bot.py": "BOT_TOKEN"}
PROCESS_NAMES = {"main.py": "tt-bot", "stats.py": "stats-bot", "maintenance_bot.py": "maintenance-bot"}
STARTUP_TIMEOUT = 90


async def read_until(process: asyncio.subprocess.Process, marker: str, seen: list[str]) -> None:
    """Collect the process's output lines into `seen` until one contains `marker`."""
    assert process.stdout is not None
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not any(marker in line for line in seen):
            line = await process.stdout.readline()
            if not line:
                raise AssertionError(f"exited before {marker!r}:\n" + "".join(seen))
            seen.append(line.decode(errors="replace"))


def unreachable_telegram(script: str, token: str = "123456:TEST-TOKEN", **extra: str) -> dict[str, str]:
    """Telegram's address with nothing listening: the network is down."""
    return operator_environment(
        **{ENTRY_POINTS[script]: token}, TG_SERVER=f"http://127.0.0.1:{free_port()}", STATS_IDS="[1]", **extra
    )


@pytest.mark.parametrize("script", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("TOKEN", "not-a-token", "is malformed"),
        ("TOKEN", "123456:secret with spaces", "is malformed"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of"),
    ],
)
async def test_a_bad_setting_ends_in_one_line_and_exit_code_2(
    script: str, variable: str, value: str, problem: str, tmp_path: Path
) -> None:
    settings = {ENTRY_POINTS[script]: value} if variable == "TOKEN" else {variable: value}
    env = operator_environment(**{ENTRY_POINTS[script]: "123456:TEST-TOKEN", **settings})
    process = await start_process(script, env, tmp_path)
    output = (await asyncio.wait_for(process.communicate(), STARTUP_TIMEOUT))[0].decode(errors="replace")
    assert process.returncode == 2, output
    assert output.strip().splitlines() == [output.strip()], output
    assert output.startswith(f"{PROCESS_NAMES[script]}: ") and problem in output
    if variable == "TOKEN":
        assert value not in output  # a token, even a broken one, is never printed


# What an operator with a typo would otherwise wait seconds for (measured by bench/bench_bot.py startup).
SLOW_IMPORTS = {"aiogram", "yt_dlp", "sqlalchemy", "curl_cffi", "alembic", "PIL", "matplotlib"}


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_a_configuration_error_is_reported_before_any_slow_import(script: str, tmp_path: Path) -> None:
    env = operator_environment(**{ENTRY_POINTS[script]: "not-a-token"})
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    timings = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    imported = {line.rsplit("|", 1)[1].strip() for line in timings}
    messages = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert result.returncode == 2
    assert len(messages) == 1 and messages[0].startswith(f"{PROCESS_NAMES[script]}: "), messages
    assert "is malformed" in messages[0]
    assert not imported & SLOW_IMPORTS, sorted(imported & SLOW_IMPORTS)


async def test_the_bot_waits_for_telegram_at_start_and_serves_when_it_returns(
    fake_tiktok: FakeTikTok, db_url: str, tmp_path: Path
) -> None:
    telegram = FakeTelegram()
    port = free_port()
    post = fake_tiktok.add_video("7350000000000012005")
    env = operator_environment(
        BOT_TOKEN=telegram.token,
        TG_SERVER=f"http://127.0.0.1:{port}",
        DB_URL=db_url,
        PROXY_FILE=str(fake_tiktok.proxy_file),
        LOG_LEVEL="INFO",
    )
    process = await start_process("main.py", env, tmp_path)
    seen: list[str] = []
    try:
        await read_until(process, "attempt 2", seen)  # down for two attempts at least: the bot keeps waiting
        await telegram.start(port)
        telegram.send_message(1205, post.url)
        video = await telegram.wait_for_call("sendVideo", lambda c: c.params["chat_id"] == 1205, timeout=60)
        assert video.file("video").data == post.h264.read()
    finally:
        output = "".join(seen) + await stop_process(process)
        await telegram.stop()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    attempts = [line for line in output.splitlines() if "start-up: deleteWebhook failed" in line]
    assert len(attempts) >= 2, output
    assert telegram.token not in output


@pytest.mark.parametrize("script", ENTRY_POINTS)
async def test_sigterm_while_waiting_for_telegram_ends_in_one_line_and_exit_0(script: str, tmp_path: Path) -> None:
    process = await start_process(script, unreachable_telegram(script), tmp_path)
    seen: list[str] = []
    await read_until(process, "start-up:", seen)
    output = "".join(seen) + await stop_process(process)  # SIGTERM
    assert process.returncode == 0, output
    assert "Traceback" not in output
    stop_lines = [line for line in output.splitlines() if "stopped" in line]
    assert stop_lines == [f"{PROCESS_NAMES[script]}: stopped by SIGTERM"], output
    assert output.strip().splitlines()[-1] == stop_lines[0]


async def test_ctrl_c_while_waiting_for_telegram_ends_in_one_line_and_exit_130(tmp_path: Path) -> None:
    process = await start_process("main.py", unreachable_telegram("main.py"), tmp_path)
    seen: list[str] = []
    await read_until(process, "start-up:", seen)
    process.send_signal(signal.SIGINT)
    await asyncio.wait_for(process.wait(), STARTUP_TIMEOUT)
    output = "".join(seen) + await stop_process(process)
    assert process.returncode == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert output.strip().splitlines()[-1] == "tt-bot: stopped by SIGINT"


def catches(pid: int, signum: signal.Signals) -> bool:
    """Whether the process has a handler for `signum` (the kernel's caught-signals mask)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(mask >> (signum - 1) & 1)


async def test_sigterm_during_the_imports_ends_in_one_line_and_exit_0(tmp_path: Path) -> None:
    process = await start_process("main.py", unreachable_telegram("main.py"), tmp_path)

    async def handler_set() -> None:
        # No event tells when: look again until the kernel shows the handler (bounded by wait_for).
        while not catches(process.pid, signal.SIGTERM):  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(handler_set(), STARTUP_TIMEOUT)
    # The handler is the first thing main.py sets; aiogram's import takes seconds after it.
    output = await stop_process(process)
    assert process.returncode == 0, output
    assert output.strip().splitlines() == ["tt-bot: stopped by SIGTERM"], output


def test_after_the_imports_no_collection_walks_the_imported_heap_again() -> None:
    code = (
        "import gc, aiogram, sqlalchemy.orm\n"
        "from misc.runtime.heap import settle_imported_heap, YOUNG_GENERATION_THRESHOLD\n"
        "settle_imported_heap()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)

    frozen, walked, raised = result.stdout.split()
    assert int(frozen) > 100_000
    assert int(walked) < 1_000
    assert raised == "True"
