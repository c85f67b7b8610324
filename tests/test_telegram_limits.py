"""Telegram limits: the limiter's schedule (on a manual clock), then the real aiogram Bot against the fake."""

from __future__ import annotations

import asyncio
import heapq
import random
import time
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, FSInputFile, InputFile

from misc.telegram.limits import (
    GLOBAL_BOOKING_HEADROOM,
    GLOBAL_MOST_PER_SECOND,
    BotWidePace,
    OutgoingRateLimiter,
    install_telegram_limits,
)
from tests.fakes.telegram import FakeTelegram


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def most_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


def book(limiter: OutgoingRateLimiter, clock: ManualClock, chat_ids: list[int]) -> list[float]:
    """Book one send per entry at the current instant; return the absolute times of the chats' turns."""
    return [clock.now + limiter.book_chat_turn(chat_id) for chat_id in chat_ids]


def leave_times(pace: BotWidePace, ready: list[float], lateness: list[float] | None = None) -> list[float]:
    """Departure times of senders ready at `ready`, each woken late by its share of `lateness` every time it
    sleeps (events in time order, as on an event loop)."""
    late = lateness or [0.0] * len(ready)
    events = [(at, index, "book") for index, at in enumerate(ready)]
    heapq.heapify(events)
    left = []
    while events:
        now, index, step = heapq.heappop(events)
        if step == "book":
            departure = pace.book(now)
            wake = departure + late[index] if departure > now else now
            heapq.heappush(events, (wake, index, "leave"))
            continue
        delay = pace.wait_to_leave(now)
        if delay > 0:
            heapq.heappush(events, (now + delay + late[index], index, "leave"))
            continue
        pace.leave(now)
        left.append(now)
    return left


# A departure allowed exactly one second after another lands a rounding error away from it.
ONE_SECOND = 1.0 - 1e-9


def new_pace() -> BotWidePace:
    return BotWidePace(GLOBAL_MOST_PER_SECOND, GLOBAL_BOOKING_HEADROOM)


# --- the schedule -----------------------------------------------------------------------------------


def test_a_burst_to_many_chats_leaves_at_most_the_bot_wide_count_in_any_second() -> None:
    times = leave_times(new_pace(), [0.0] * 300)

    assert GLOBAL_MOST_PER_SECOND - 1 <= most_in_any_window(times, ONE_SECOND) <= GLOBAL_MOST_PER_SECOND <= 30
    assert times[-1] < 300 / (GLOBAL_MOST_PER_SECOND - 1)  # paced, not stalled


def test_senders_woken_late_neither_exceed_the_count_nor_lose_much_throughput() -> None:
    rng = random.Random(3)
    spacing = 1 / GLOBAL_MOST_PER_SECOND
    # A busy event loop wakes sleepers late, some by more than a whole spacing.
    lateness = [rng.choice([0.0, 0.2 * spacing, 0.5 * spacing, 1.5 * spacing]) for _ in range(600)]

    times = leave_times(new_pace(), [0.0] * 600, lateness)

    assert most_in_any_window(times, ONE_SECOND) <= GLOBAL_MOST_PER_SECOND
    assert len(times) == 600 and 600 / times[-1] > GLOBAL_MOST_PER_SECOND - 2


def test_senders_arriving_now_and_then_leave_at_once() -> None:
    ready = [index * 0.5 for index in range(20)]

    assert leave_times(new_pace(), ready) == ready


def test_the_bound_holds_for_any_count_headroom_and_lateness() -> None:
    rng = random.Random(11)
    for most in (1, 5, 20, 28, 30):
        for headroom in (0.0, 0.5, 0.9):
            ready = sorted(rng.uniform(0, 5) for _ in range(400))
            lateness = [rng.uniform(0, 3 / most) for _ in ready]
            times = leave_times(BotWidePace(most, headroom), ready, lateness)
            assert len(times) == 400 and most_in_any_window(times, ONE_SECOND) <= most, (most, headroom)


def test_private_chat_gets_a_short_burst_then_one_message_per_second() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)

    turns = [limiter.book_chat_turn(42) for _ in range(6)]

    assert turns == [0, 0, 0, 1.0, 2.0, 3.0]


def test_group_never_gets_more_than_twenty_messages_in_any_minute() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)

    times = book(limiter, clock, [-100123] * 60)

    assert most_in_any_window(times, 60.0) <= 20
    assert most_in_any_window(times, 60.0) >= 19  # and uses most of what it may


def test_a_chat_waiting_for_its_turn_does_not_delay_other_chats() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)
    for _ in range(10):
        limiter.book_chat_turn(-100)  # the group's later sends are booked minutes ahead

    assert limiter.book_chat_turn(7) == 0
    assert limiter.book_chat_turn(-200) == 0


def test_hold_after_429_delays_only_that_chat() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)

    limiter.hold(42, 5)

    assert limiter.book_chat_turn(42) >= 5
    assert limiter.book_chat_turn(43) == 0


def test_bookings_follow_the_clock() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)
    for _ in range(4):
        limiter.book_chat_turn(42)

    clock.now += 60
    assert limiter.book_chat_turn(42) == 0


def test_idle_chats_are_forgotten_so_memory_stays_bounded() -> None:
    clock = ManualClock()
    limiter = OutgoingRateLimiter(clock=clock)

    for chat_id in range(1, 20_001):
        limiter.book_chat_turn(chat_id if chat_id % 5 else -chat_id)
        clock.now += 0.05  # a steady 20 messages/s to ever new chats

    # Only chats that sent within the last few seconds (a group's pace lasts longest) are remembered.
    assert limiter.tracked_chats() < 20 * 12


async def test_sends_on_a_busy_event_loop_still_leave_at_most_the_count_in_any_second() -> None:
    limiter = OutgoingRateLimiter()
    loop = asyncio.get_running_loop()
    left: list[float] = []
    busy = True

    async def hog_the_loop() -> None:
        while busy:
            time.sleep(0.012)  # noqa: ASYNC251 - blocking on purpose: every sleeper behind it wakes late
            await asyncio.sleep(0)

    async def send(chat_id: int | None) -> None:
        await limiter.wait(chat_id)
        left.append(loop.time())

    hog = asyncio.create_task(hog_the_loop())
    await asyncio.wait_for(asyncio.gather(*(send(chat if chat % 4 else None) for chat in range(1, 81))), 20)
    busy = False
    await hog

    assert most_in_any_window(left, 1.0) <= GLOBAL_MOST_PER_SECOND
    assert len(left) / (max(left) - min(left)) > GLOBAL_MOST_PER_SECOND - 4


async def test_waiting_in_one_chat_does_not_hold_up_another() -> None:
    limiter = OutgoingRateLimiter()
    finished: list[str] = []

    async def send(name: str, chat_id: int) -> None:
        await limiter.wait(chat_id)
        finished.append(name)

    busy = [asyncio.create_task(send(f"a{index}", 1)) for index in range(4)]
    await asyncio.sleep(0)
    other = asyncio.create_task(send("b", 2))
    await asyncio.wait_for(asyncio.gather(*busy, other), 10)

    assert finished.index("b") < finished.index("a3")


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        OutgoingRateLimiter(most_per_second=0)
    with pytest.raises(ValueError):
        OutgoingRateLimiter(most_per_second=2, booking_headroom=2)
    with pytest.raises(ValueError):
        OutgoingRateLimiter(group_per_minute=3, group_burst=3)


# --- the real aiogram Bot against the fake Telegram ---------------------------------------------------

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + random.Random(7).randbytes(300_000)
# Arrival times at the fake are taken after the body is read; allow for that much scheduling noise.
JITTER = 0.05


def bot_for(telegram: FakeTelegram, server_url: str | None = None) -> Bot:
    api = TelegramAPIServer.from_base(server_url or telegram.base_url)
    return Bot(telegram.token, session=AiohttpSession(api=api, timeout=30))


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = bot_for(fake_telegram)
    install_telegram_limits(bot, OutgoingRateLimiter())
    yield bot
    await bot.session.close()


@pytest.fixture(params=["buffered", "file"])
def video_upload(request: pytest.FixtureRequest, tmp_path: Path) -> InputFile:
    if request.param == "buffered":
        return BufferedInputFile(VIDEO_BYTES, filename="video.mp4")
    path = tmp_path / "video.mp4"
    path.write_bytes(VIDEO_BYTES)
    return FSInputFile(path, filename="video.mp4")


async def test_429_on_send_video_is_waited_out_and_the_video_arrives_once_with_the_same_bytes(
    bot: Bot, fake_telegram: FakeTelegram, video_upload: InputFile
) -> None:
    fake_telegram.fail_next("sendVideo", 429, "Too Many Requests: retry after 1", retry_after=1)

    sent = await bot.send_video(42, video_upload, caption="the post")

    refused, accepted = fake_telegram.calls_of("sendVideo")
    assert refused.error is not None and refused.error[0] == 429
    assert accepted.ok
    assert accepted.at - refused.at >= 1 - JITTER
    assert refused.file("video").data == accepted.file("video").data == VIDEO_BYTES
    [message] = fake_telegram.messages(42)
    assert message["message_id"] == sent.message_id
    assert fake_telegram.file_bytes(message["video"]["file_id"]) == VIDEO_BYTES


async def test_server_errors_are_retried_with_growing_pauses_then_succeed(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next("sendMessage", 500, "Internal Server Error", times=2)

    await bot.send_message(42, "hello")

    calls = fake_telegram.calls_of("sendMessage")
    assert [call.ok for call in calls] == [False, False, True]
    first_pause, second_pause = gaps([call.at for call in calls])
    assert first_pause >= 0.5 - JITTER
    assert second_pause >= 1.0 - JITTER
    assert [message["text"] for message in fake_telegram.messages(42)] == ["hello"]


async def test_server_error_that_persists_is_raised_after_the_last_retry(fake_telegram: FakeTelegram) -> None:
    bot = bot_for(fake_telegram)
    install_telegram_limits(bot, OutgoingRateLimiter(), max_retries=2, first_backoff=0.01)
    fake_telegram.fail_next("sendMessage", 502, "Bad Gateway", times=None)
    try:
        with pytest.raises(TelegramServerError):
            await bot.send_message(42, "hello")
    finally:
        await bot.session.close()

    assert len(fake_telegram.calls_of("sendMessage")) == 3
    assert fake_telegram.messages(42) == []


@pytest.mark.parametrize(
    ("code", "description", "raised"),
    [
        (403, "Forbidden: bot was blocked by the user", TelegramForbiddenError),
        (400, "Bad Request: chat not found", TelegramBadRequest),
        (413, "Request Entity Too Large", TelegramEntityTooLarge),
    ],
)
async def test_client_errors_are_raised_at_once_without_retry(
    bot: Bot, fake_telegram: FakeTelegram, code: int, description: str, raised: type[Exception]
) -> None:
    fake_telegram.fail_next("sendMessage", code, description)

    with pytest.raises(raised):
        await bot.send_message(42, "hello")

    assert len(fake_telegram.calls_of("sendMessage")) == 1
    assert fake_telegram.messages(42) == []


class DroppingRelay:
    """A TCP hop in front of the fake that hangs up on its first `drops` connections, then relays."""

    def __init__(self, target_port: int, drops: int) -> None:
        self._target_port = target_port
        self.drops_left = drops
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in self._pipes:
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.drops_left > 0:
            self.drops_left -= 1
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            pipe = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        finally:
            sink.close()


async def test_dropped_connections_are_retried_and_the_upload_arrives_once(
    fake_telegram: FakeTelegram, video_upload: InputFile
) -> None:
    port = int(fake_telegram.base_url.rsplit(":", 1)[1])
    relay = DroppingRelay(port, drops=2)
    async with relay as relay_url:
        bot = bot_for(fake_telegram, relay_url)
        install_telegram_limits(bot, OutgoingRateLimiter(), first_backoff=0.05)
        try:
            await bot.send_video(42, video_upload)
        finally:
            await bot.session.close()

    assert relay.drops_left == 0
    [call] = fake_telegram.calls_of("sendVideo")
    assert call.file("video").data == VIDEO_BYTES
    [message] = fake_telegram.messages(42)
    assert fake_telegram.file_bytes(message["video"]["file_id"]) == VIDEO_BYTES


async def test_a_flood_wait_longer_than_the_limit_is_left_to_the_caller(bot: Bot, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3600", retry_after=3600)

    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(42, "hello")

    assert refused.value.retry_after == 3600
    assert len(fake_telegram.calls_of("sendMessage")) == 1


@pytest.mark.usefixtures("no_collector_pauses")
async def test_a_burst_to_forty_chats_never_exceeds_thirty_calls_per_second(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    chats = range(1001, 1041)

    await asyncio.wait_for(asyncio.gather(*(bot.send_message(chat, "news") for chat in chats)), 20)

    assert all(len(fake_telegram.messages(chat)) == 1 for chat in chats)
    assert fake_telegram.max_calls_in_window({"sendMessage"}, window=1.0) <= 30


async def test_a_private_chat_gets_a_short_burst_then_one_message_per_second(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    await asyncio.wait_for(asyncio.gather(*(bot.send_message(42, f"part {n}") for n in range(6))), 20)

    assert len(fake_telegram.messages(42)) == 6
    assert fake_telegram.max_calls_in_window({"sendMessage"}, window=1.0, chat_id=42) <= 4
    assert fake_telegram.max_calls_in_window({"sendMessage"}, window=2.0, chat_id=42) <= 5


async def test_a_busy_chat_does_not_hold_up_another_chat(bot: Bot, fake_telegram: FakeTelegram) -> None:
    busy = [asyncio.create_task(bot.send_message(42, f"part {n}")) for n in range(5)]
    await asyncio.sleep(0)
    await asyncio.wait_for(bot.send_message(43, "hi"), 5)

    order = [call.params["chat_id"] for call in fake_telegram.calls_of("sendMessage")]
    assert order.index(43) <= 3
    await asyncio.wait_for(asyncio.gather(*busy), 20)


async def test_reactions_are_not_paced_behind_messages(bot: Bot, fake_telegram: FakeTelegram) -> None:
    first = await bot.send_message(42, "first")
    later = [asyncio.create_task(bot.send_message(42, f"part {n}")) for n in range(3)]
    await asyncio.sleep(0)
    for emoji in ("👀", "👨‍💻", "😢"):
        await bot.set_message_reaction(42, first.message_id, reaction=[{"type": "emoji", "emoji": emoji}])
    await asyncio.wait_for(asyncio.gather(*later), 20)

    methods = [call.method for call in fake_telegram.calls]
    last_reaction = max(index for index, method in enumerate(methods) if method == "setMessageReaction")
    last_message = max(index for index, method in enumerate(methods) if method == "sendMessage")
    assert last_message > last_reaction
