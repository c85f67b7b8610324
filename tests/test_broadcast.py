"""Broadcasts end to end: an admin composes through the fake Telegram, the real bot delivers from the database.

The last test runs main.py as a separate process, kills it with SIGKILL halfway through a broadcast,
starts it again and checks that every user got the message exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.config import TelegramSettings
from data.repositories import Repositories
from data.repositories.users import UserRepository
from misc.telegram.bot_factory import create_bot
from misc.telegram.broadcaster import BUSY_RATE, Broadcaster
from misc.telegram.limits import OutgoingRateLimiter, install_telegram_limits
from tests.fakes.telegram import ApiCall, FakeTelegram, Misbehaviour
from tests.plugins.bot import StartBot

ADMIN = 900
STRANGER = 901
GROUPS = (-1003000001, -1003000002)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def to_chat(chat_id: int) -> Callable[[ApiCall], bool]:
    return lambda call: call.params.get("chat_id") == chat_id


def is_report(call: ApiCall) -> bool:
    return call.params.get("chat_id") == ADMIN and str(call.params.get("text", "")).startswith("📣 Broadcast #")


def copies_per_chat(tg: FakeTelegram) -> Counter[int]:
    """Successful copies of the broadcast per recipient (the admin's own preview left out)."""
    return Counter(
        call.params["chat_id"] for call in tg.calls_of("copyMessage") if call.ok and call.params["chat_id"] != ADMIN
    )


async def seed_users(
    sessions: async_sessionmaker[AsyncSession], recipients: range, *, blocked: tuple[int, ...] = ()
) -> None:
    users = UserRepository(sessions)
    for chat_id in recipients:
        await users.register(chat_id, "private", "en")
    for chat_id in blocked:
        await users.register(chat_id, "private", "en")
        await users.mark_blocked(chat_id)
    for chat_id in GROUPS:
        await users.register(chat_id, "supergroup", "en")


async def replies_to_admin(tg: FakeTelegram, count: int, timeout: float = 10.0) -> ApiCall:
    return (await tg.wait_for_calls("sendMessage", count, predicate=to_chat(ADMIN), timeout=timeout))[-1]


def button_data(markup: dict[str, Any] | None, action: str) -> str:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).startswith(f"broadcast:{action}:"):
                return button["callback_data"]
    raise LookupError(f"no {action} button in {markup}")


async def compose(tg: FakeTelegram, *, buttons: str | None = None, photo: bool = True) -> tuple[dict, dict]:
    """/broadcast → the message → buttons or /skip; returns (the admin's message, the confirmation message)."""
    tg.send_message(ADMIN, "/broadcast")
    await replies_to_admin(tg, 1)
    source = tg.send_photo(ADMIN, "Big news!") if photo else tg.send_message(ADMIN, "Big news!")
    await replies_to_admin(tg, 2)
    tg.send_message(ADMIN, buttons if buttons is not None else "/skip")
    question = await replies_to_admin(tg, 3)
    assert question.params["text"].startswith("☝️ This is the preview.")
    [confirmation] = [m for m in tg.messages(ADMIN) if m["message_id"] == question.result["message_id"]]
    return source, confirmation


async def press(tg: FakeTelegram, message: dict, action: str, user_id: int = ADMIN) -> None:
    tg.press_button(user_id, message, button_data(message.get("reply_markup"), action))


async def wait_for_report(tg: FakeTelegram, timeout: float = 20.0) -> str:
    return (await tg.wait_for_call("sendMessage", is_report, timeout=timeout)).params["text"]


@pytest.fixture
async def admin_bot(start_bot: StartBot, fake_telegram: FakeTelegram) -> FakeTelegram:
    await start_bot(ADMIN_IDS=f"[{ADMIN}]")
    return fake_telegram


async def test_broadcast_with_buttons_reaches_every_private_user_once_and_reports(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    recipients = range(1001, 1007)
    await seed_users(db_sessions, recipients, blocked=(2001,))
    source, confirmation = await compose(tg, buttons="Our site | https://example.com\nNews | https://example.org/news")

    preview = await tg.wait_for_call("copyMessage", to_chat(ADMIN))
    assert preview.params["message_id"] == source["message_id"]
    await press(tg, confirmation, "send")
    report = await wait_for_report(tg)

    assert copies_per_chat(tg) == dict.fromkeys(recipients, 1)
    expected_keyboard = [
        [{"text": "Our site", "url": "https://example.com"}],
        [{"text": "News", "url": "https://example.org/news"}],
    ]
    for call in tg.calls_of("copyMessage"):
        assert call.params["from_chat_id"] == ADMIN
        assert call.params["message_id"] == source["message_id"]
        assert call.params["reply_markup"]["inline_keyboard"] == expected_keyboard
    assert all(message.get("photo") for chat in recipients for message in tg.messages(chat))
    assert report == "📣 Broadcast #1 finished.\nSent: 6\nBlocked: 0\nFailed: 0"
    queued = next(m for m in tg.messages(ADMIN) if m["message_id"] == confirmation["message_id"])
    assert queued["text"].startswith("📣 Broadcast #1 queued for 6 users")
    assert not queued.get("reply_markup")


async def test_user_who_blocked_the_bot_is_marked_and_counted(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1101, 1105))
    tg.block_bot(1102)
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")

    report = await wait_for_report(tg)
    assert report == "📣 Broadcast #1 finished.\nSent: 3\nBlocked: 1\nFailed: 0"
    assert copies_per_chat(tg) == dict.fromkeys((1101, 1103, 1104), 1)
    profile = await UserRepository(db_sessions).get(1102)
    assert profile is not None and profile.blocked


async def test_retry_after_is_honoured_and_the_user_still_gets_exactly_one_copy(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1201, 1204))
    tg.fail_next("copyMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=1202)
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")

    report = await wait_for_report(tg)
    assert report == "📣 Broadcast #1 finished.\nSent: 3\nBlocked: 0\nFailed: 0"
    assert copies_per_chat(tg) == dict.fromkeys((1201, 1202, 1203), 1)
    [refused, delivered] = [call for call in tg.calls_of("copyMessage") if call.params["chat_id"] == 1202]
    assert refused.error is not None and refused.error[0] == 429
    assert delivered.at - refused.at >= 1.0


async def test_a_refused_send_is_reported_as_failed(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1301, 1304))
    tg.fail_next("copyMessage", 400, "Bad Request: chat not found", chat_id=1303)
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")

    assert await wait_for_report(tg) == "📣 Broadcast #1 finished.\nSent: 2\nBlocked: 0\nFailed: 1"


async def test_cancel_sends_nothing(admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1401, 1404))
    _, confirmation = await compose(tg)
    await press(tg, confirmation, "cancel")

    edited = await tg.wait_for_call("editMessageText", to_chat(ADMIN))
    assert edited.params["text"] == "Broadcast cancelled."
    tg.send_message(ADMIN, "/help")  # a marker: everything before it has been handled
    await replies_to_admin(tg, 4)
    assert copies_per_chat(tg) == {}


async def test_only_an_admin_can_press_send(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1501, 1503))
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send", user_id=STRANGER)

    answer = await tg.wait_for_call("answerCallbackQuery")
    assert not answer.params.get("text")
    assert copies_per_chat(tg) == {}
    await press(tg, confirmation, "send")
    assert (await wait_for_report(tg)).endswith("Sent: 2\nBlocked: 0\nFailed: 0")


@pytest.mark.usefixtures("no_collector_pauses")
async def test_broadcast_stays_below_the_global_outgoing_limit(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await seed_users(db_sessions, range(1601, 1641))
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")

    await wait_for_report(tg)
    assert sum(copies_per_chat(tg).values()) == 40
    # Telegram allows ~30 messages/s per bot; the broadcast leaves room for the downloads.
    assert tg.max_calls_in_window({"copyMessage"}, window=1.0) <= 21


async def test_two_workers_on_one_job_send_each_user_one_copy_and_report_once(
    fake_telegram: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Webhook mode runs several processes, each with its broadcaster: the claims keep them apart."""
    tg = fake_telegram
    recipients = range(1801, 1831)
    await seed_users(db_sessions, recipients)
    source = tg.send_message(ADMIN, "For everyone")
    repos = Repositories.create(db_sessions)
    await repos.broadcasts.create(ADMIN, ADMIN, source["message_id"], None)
    bot = create_bot(tg.token, TelegramSettings(tg.token, None, tg.base_url, False, ""))
    workers = [Broadcaster(bot, repos), Broadcaster(bot, repos)]
    try:
        for worker in workers:
            await worker.start()
        report = await wait_for_report(tg)
    finally:
        for worker in workers:
            await worker.stop()
        await bot.session.close()

    assert copies_per_chat(tg) == dict.fromkeys(recipients, 1)
    assert report.startswith("📣 Broadcast #1 finished.\nSent: ")
    assert len([call for call in tg.calls_of("sendMessage") if is_report(call)]) == 1
    assert await repos.broadcasts.finish(1) is False  # closed once: only the closing worker reports


async def test_gateway_pages_empty_503s_and_resets_are_retried_and_everyone_gets_one_copy(
    admin_bot: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    recipients = range(1401, 1405)
    await seed_users(db_sessions, recipients)
    for chat_id, kind in zip(recipients, Misbehaviour, strict=False):
        tg.misbehave_next("copyMessage", kind, times=2, chat_id=chat_id)
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")

    report = await wait_for_report(tg, timeout=30)
    assert report == "📣 Broadcast #1 finished.\nSent: 4\nBlocked: 0\nFailed: 0"
    assert copies_per_chat(tg) == dict.fromkeys(recipients, 1)
    refused = Counter(call.params["chat_id"] for call in tg.calls_of("copyMessage") if not call.ok)
    assert refused == {1401: 2, 1402: 2, 1403: 2}


def broadcast_bot(tg: FakeTelegram, *, max_retry_after: float) -> Bot:
    bot = create_bot(tg.token, TelegramSettings(tg.token, None, tg.base_url, False, ""))
    install_telegram_limits(bot, OutgoingRateLimiter(), max_retry_after=max_retry_after)
    return bot


async def test_a_flood_wait_longer_than_the_session_sleeps_pauses_the_job_then_it_goes_on(
    fake_telegram: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = fake_telegram
    recipients = range(1501, 1504)
    await seed_users(db_sessions, recipients)
    source = tg.send_message(ADMIN, "For everyone")
    repos = Repositories.create(db_sessions)
    await repos.broadcasts.create(ADMIN, ADMIN, source["message_id"], None)
    tg.fail_next("copyMessage", 429, "Too Many Requests: retry after 2", retry_after=2, chat_id=1502)
    bot = broadcast_bot(tg, max_retry_after=1)
    worker = Broadcaster(bot, repos)
    try:
        await worker.start()
        report = await wait_for_report(tg)
    finally:
        await worker.stop()
        await bot.session.close()

    assert report == "📣 Broadcast #1 finished.\nSent: 3\nBlocked: 0\nFailed: 0"
    assert copies_per_chat(tg) == dict.fromkeys(recipients, 1)
    [refused, delivered] = [call for call in tg.calls_of("copyMessage") if call.params["chat_id"] == 1502]
    assert refused.error is not None and refused.error[0] == 429
    assert delivered.at - refused.at >= 2.0


async def test_stopping_during_a_long_flood_wait_leaves_the_recipient_for_the_next_start(
    fake_telegram: FakeTelegram, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = fake_telegram
    recipients = range(1601, 1604)
    await seed_users(db_sessions, recipients)
    source = tg.send_message(ADMIN, "For everyone")
    repos = Repositories.create(db_sessions)
    await repos.broadcasts.create(ADMIN, ADMIN, source["message_id"], None)
    tg.fail_next("copyMessage", 429, "Too Many Requests: retry after 3600", retry_after=3600, chat_id=1602)
    bot = broadcast_bot(tg, max_retry_after=1)
    try:
        first = Broadcaster(bot, repos)
        await first.start()
        await tg.wait_for_call("copyMessage", lambda call: call.params["chat_id"] == 1602)
        await first.stop()
        second = Broadcaster(bot, repos)
        await second.start()
        report = await wait_for_report(tg)
        await second.stop()
    finally:
        await bot.session.close()

    assert report == "📣 Broadcast #1 finished.\nSent: 3\nBlocked: 0\nFailed: 0"
    assert copies_per_chat(tg) == dict.fromkeys(recipients, 1)


# ---------------------------------------------------------------- kill the bot halfway


class HoldingTelegram(FakeTelegram):
    """Holds the n-th copyMessage request until released, so a test can kill the bot while it is in flight.

    The request body is read before holding: once released, the fake executes it as Telegram would
    execute a request it had received, whether or not the client is still there for the answer.
    """

    def __init__(self, hold_copy_number: int) -> None:
        super().__init__()
        self._hold_copy_number = hold_copy_number
        self._copies_seen = 0
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "copyMessage":
            self._copies_seen += 1
            if self._copies_seen == self._hold_copy_number:
                await request.read()
                self.holding.set()
                await self.release.wait()
        return await super()._handle_api(request)


class BotProcess:
    """main.py as an operator runs it, in its own process."""

    def __init__(self, telegram: FakeTelegram, environment: dict[str, str], log_file: Path) -> None:
        self._telegram = telegram
        self._environment = environment
        self.log_file = log_file
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start main.py and wait until it is about to poll (its command menu is set, the last start-up step):
        on a busy machine the imports alone take several seconds, which no reply should have to wait for."""
        menus_before = len(self._telegram.calls_of("setMyCommands"))
        with self.log_file.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(PROJECT_ROOT / "main.py"),
                cwd=PROJECT_ROOT,
                env=self._environment,
                stdout=log,
                stderr=log,
            )
        await self._telegram.wait_for_calls("setMyCommands", menus_before + 1, timeout=90)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def terminate(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                await self.kill()


@pytest.fixture
async def holding_telegram() -> AsyncIterator[HoldingTelegram]:
    # Copy 1 is the admin's preview; copy 16 is the 15th recipient.
    telegram = HoldingTelegram(hold_copy_number=16)
    async with telegram:
        yield telegram
        telegram.release.set()


@pytest.fixture
async def bot_process(holding_telegram: HoldingTelegram, db_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    environment = {
        **os.environ,
        "BOT_TOKEN": holding_telegram.token,
        "TG_SERVER": holding_telegram.base_url,
        "DB_URL": db_url,
        "ADMIN_IDS": f"[{ADMIN}]",
        "LOG_LEVEL": "WARNING",
    }
    process = BotProcess(holding_telegram, environment, tmp_path / "bot.log")
    yield process
    await process.terminate()
    print(process.log_file.read_text(errors="replace")[-5000:])  # shown by pytest when the test failed


async def test_broadcast_killed_halfway_resumes_after_restart_and_nobody_gets_it_twice(
    holding_telegram: HoldingTelegram, bot_process: BotProcess, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = holding_telegram
    recipients = range(3001, 3041)
    blocked_in_database = (3901, 3902, 3903)
    await seed_users(db_sessions, recipients, blocked=blocked_in_database)
    tg.block_bot(3005)  # blocked since; the bot learns it from the 403
    await bot_process.start()
    _, confirmation = await compose(tg, photo=True)
    await press(tg, confirmation, "send")

    await asyncio.wait_for(tg.holding.wait(), 30)
    await bot_process.kill()
    tg.release.set()  # Telegram had received the request in flight: that user got the message
    before_restart = copies_per_chat(tg)
    assert 0 < sum(before_restart.values()) < len(recipients) - 1

    await bot_process.start()
    report = await wait_for_report(tg, timeout=60)

    expected = dict.fromkeys(recipients, 1)
    del expected[3005]
    assert copies_per_chat(tg) == expected
    assert not [
        call for call in tg.calls_of("copyMessage") if call.params["chat_id"] in (*blocked_in_database, *GROUPS)
    ]
    assert report == (
        "📣 Broadcast #1 finished.\nSent: 38\nBlocked: 1\nFailed: 0"
        "\nUnconfirmed (interrupted by a restart, not sent again): 1"
    )
    profile = await UserRepository(db_sessions).get(3005)
    assert profile is not None and profile.blocked


async def link_latencies(tg: FakeTelegram, fake_tiktok, first_user: int, first_post: int, count: int) -> list[float]:
    """Send `count` links from as many users at once; seconds from each message to its video."""
    posts = [fake_tiktok.add_video(str(first_post + index)) for index in range(count)]
    started = {first_user + index: time.monotonic() for index in range(count)}
    for index, post in enumerate(posts):
        tg.send_message(first_user + index, post.url)
    videos = await tg.wait_for_calls(
        "sendVideo", count, predicate=lambda call: call.params["chat_id"] in started, timeout=60
    )
    return [call.at - started[call.params["chat_id"]] for call in videos]


async def test_a_running_broadcast_does_not_slow_downloads_down(
    admin_bot: FakeTelegram, fake_tiktok, db_sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = admin_bot
    await link_latencies(tg, fake_tiktok, 8001, 7350000000000008001, 5)  # warm-up: first imports, connections
    baseline = await link_latencies(tg, fake_tiktok, 8051, 7350000000000008051, 5)
    await seed_users(db_sessions, range(1701, 2001))
    _, confirmation = await compose(tg, photo=False)
    await press(tg, confirmation, "send")
    await tg.wait_for_calls("copyMessage", 21)  # the preview and 20 recipients: the broadcast is in full swing

    window_start = time.monotonic()
    during = await link_latencies(tg, fake_tiktok, 8101, 7350000000000008101, 5)
    window = time.monotonic() - window_start

    assert max(during) <= max(baseline) * 1.5 + 0.2
    # While downloads run, the broadcast drops to its background pace (4/s) instead of 20/s.
    copies_in_window = [call for call in tg.calls_of("copyMessage") if call.at >= window_start]
    assert len(copies_in_window) <= 2 + window * BUSY_RATE
