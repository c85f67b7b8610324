"""Operations: graceful shutdown on SIGTERM, and webhook mode with two workers sharing limits via Redis."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

from data.locales import Locales
from misc.telegram.limits import GLOBAL_MOST_PER_SECOND
from tests.fakes.telegram import FakeTelegram
from tests.fakes.tiktok import FakeTikTok
from tests.processes import free_port, operator_environment, start_process, stop_process
from tests.redis_keys import REDIS_URL, delete_bot_keys

STARTUP_TIMEOUT = 90


async def wait_until(condition, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def bot_env(tg: FakeTelegram, tt: FakeTikTok, db_url: str, **extra: str) -> dict[str, str]:
    return operator_environment(
        BOT_TOKEN=tg.token,
        TG_SERVER=tg.base_url,
        DB_URL=db_url,
        PROXY_FILE=str(tt.proxy_file),
        LOG_LEVEL="INFO",
        **extra,
    )


async def test_sigterm_mid_download_delivers_the_video_then_exits_zero(
    fake_telegram: FakeTelegram, fake_tiktok: FakeTikTok, db_url: str, tmp_path: Path
) -> None:
    post = fake_tiktok.add_video("7350000000000009001")
    late = fake_tiktok.add_video("7350000000000009002")
    fake_tiktok.media_delay = 2.0
    process = await start_process(
        "main.py", bot_env(fake_telegram, fake_tiktok, db_url, SHUTDOWN_TIMEOUT="30"), tmp_path
    )
    try:
        fake_telegram.send_message(9001, post.url)
        await wait_until(lambda: fake_tiktok.concurrent_media_peak >= 1, STARTUP_TIMEOUT, "the download to start")
        process.send_signal(signal.SIGTERM)
        video = await fake_telegram.wait_for_call("sendVideo", lambda c: c.params["chat_id"] == 9001, timeout=30)
        assert video.file("video").data == post.h264.read()
        fake_telegram.send_message(9002, late.url)  # arrives after SIGTERM: not taken any more
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        output = await stop_process(process)
    assert not [call for call in fake_telegram.calls if call.params.get("chat_id") == 9002], output
    assert "Traceback" not in output


class RoundRobinBalancer:
    """The load balancer in front of the workers: each update goes to the next worker, and a copy goes
    to the other one a moment later, as when Telegram redelivers an update after a timeout."""

    def __init__(self, worker_ports: list[int]) -> None:
        self.worker_ports = worker_ports
        self.port = free_port()
        self.delivered = 0
        self._next = itertools.cycle(range(len(worker_ports)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._copies: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def __aenter__(self) -> RoundRobinBalancer:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        app = web.Application()
        app.router.add_post("/webhook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in self._copies:
            task.cancel()
        assert self._runner is not None and self._session is not None
        await self._runner.cleanup()
        await self._session.close()

    async def _post(self, index: int, body: bytes, headers: dict[str, str]) -> int:
        assert self._session is not None
        url = f"http://127.0.0.1:{self.worker_ports[index]}/webhook"
        async with self._session.post(url, data=body, headers=headers) as response:
            return response.status

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""),
        }
        index = next(self._next)
        status = await self._post(index, body, headers)
        self.delivered += 1
        copy = asyncio.create_task(self._redeliver((index + 1) % len(self.worker_ports), body, headers))
        self._copies.add(copy)
        copy.add_done_callback(self._copies.discard)
        return web.Response(status=status)

    async def _redeliver(self, index: int, body: bytes, headers: dict[str, str]) -> None:
        await asyncio.sleep(0.3)
        await self._post(index, body, headers)


@pytest.fixture
async def two_webhook_workers(
    fake_tiktok: FakeTikTok, db_url: str, tmp_path: Path
) -> AsyncIterator[tuple[FakeTelegram, list[int]]]:
    # A bot id of its own: claims and counters in the shared Redis never meet another run's.
    token = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(24)}"
    ports = [free_port(), free_port()]
    async with FakeTelegram(token=token) as tg, RoundRobinBalancer(ports) as balancer:
        webhook_secret = secrets.token_urlsafe(16)
        processes = [
            await start_process(
                "main.py",
                bot_env(
                    tg, fake_tiktok, db_url,
                    REDIS_URL=REDIS_URL, WEBHOOK_URL=balancer.url, WEBHOOK_SECRET=webhook_secret,
                    WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port), MAX_USER_QUEUE_SIZE="1",
                ),
                tmp_path,
            )
            for port in ports
        ]  # fmt: skip
        try:
            await wait_until(lambda: len(tg.calls_of("setWebhook")) >= 2, STARTUP_TIMEOUT, "both workers")
            yield tg, ports
        finally:
            outputs = [await stop_process(process) for process in processes]
            redis = Redis.from_url(REDIS_URL)
            await delete_bot_keys(redis, int(token.split(":")[0]))
            await redis.aclose()
        for process, output in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output
            assert "Traceback" not in output, output


async def test_webhook_rejects_a_request_without_the_secret(two_webhook_workers) -> None:
    _, ports = two_webhook_workers
    async with aiohttp.ClientSession() as session:
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        async with session.post(f"http://127.0.0.1:{ports[0]}/webhook", json=update) as response:
            assert response.status == 401


async def test_two_workers_share_the_per_chat_limit_and_handle_each_update_once(
    two_webhook_workers, fake_tiktok: FakeTikTok
) -> None:
    tg, _ = two_webhook_workers
    first, second = fake_tiktok.add_video("7350000000000009101"), fake_tiktok.add_video("7350000000000009102")
    fake_tiktok.media_delay = 1.5
    # Update 1 reaches worker 0, update 2 worker 1: only Redis knows the chat already has a job running.
    tg.send_message(9101, first.url)
    await wait_until(lambda: fake_tiktok.concurrent_media_peak >= 1, 30, "the first download")
    tg.send_message(9101, second.url)
    busy = await tg.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 9101, timeout=30)
    assert busy.params["text"] == Locales.load().text("en", "queue_busy", count=1)

    fake_tiktok.media_delay = 0
    users = range(9200, 9206)
    posts = [fake_tiktok.add_video(f"73500000000000092{index:02d}") for index in range(len(users))]
    for user, post in zip(users, posts, strict=True):
        tg.send_message(user, post.url)
    await tg.wait_for_calls("sendVideo", 1 + len(users), timeout=60)
    await asyncio.sleep(1.0)  # the redelivered copies have arrived and were dropped by now
    sent_to = [call.params["chat_id"] for call in tg.calls_of("sendVideo")]
    assert sorted(sent_to) == sorted([9101, *users])


@pytest.mark.usefixtures("no_collector_pauses")
async def test_two_workers_keep_to_one_bot_wide_rate(two_webhook_workers) -> None:
    tg, _ = two_webhook_workers
    users = range(9300, 9360)
    for user in users:
        tg.send_message(user, "/start")
    await tg.wait_for_calls("sendMessage", len(users), timeout=60)
    # Redis lets at most GLOBAL_MOST_PER_SECOND sends leave in any second, by its clock. Between leaving a
    # worker and being read by the fake a send waits up to ~0.1 s on this machine (two busy workers and the
    # fake's own event loop; 0.2 s allowed), so any 0.8 s at the fake holds sends that left within one
    # second. Two unshared schedules would show about twice as many.
    assert tg.max_calls_in_window(methods={"sendMessage"}, window=0.8) <= GLOBAL_MOST_PER_SECOND
    assert len(tg.calls_of("sendMessage")) == len(users)
