"""Limits shared between worker processes through the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from aiogram.types import Update
from redis.asyncio import Redis

from misc.runtime.queue_manager import QueueFullError
from misc.runtime.shared_limits import RedisQueueManager, RedisRateLimiter, UpdateClaims
from misc.telegram.limits import GLOBAL_MOST_PER_SECOND
from tests.redis_keys import REDIS_URL, delete_bot_keys

USED_BOT_IDS: set[int] = set()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    await client.ping()
    yield client
    # Leave no keys behind: every key of these tests names one of the bot ids they made up.
    while USED_BOT_IDS:
        await delete_bot_keys(client, USED_BOT_IDS.pop())
    await client.aclose()


def fresh_id() -> int:
    bot_id = random.randrange(10**9, 10**12)
    USED_BOT_IDS.add(bot_id)
    return bot_id


async def test_per_chat_admission_is_shared_by_two_workers(redis: Redis) -> None:
    bot_id = fresh_id()
    first, second = RedisQueueManager(redis, bot_id, 1, 4), RedisQueueManager(redis, bot_id, 1, 4)
    chat = fresh_id()
    async with first.job(chat):
        with pytest.raises(QueueFullError) as refused:
            async with second.job(chat):
                pass
        assert refused.value.in_progress == 1
    async with second.job(chat):
        pass


async def test_a_cancelled_job_gives_its_admission_back(redis: Redis) -> None:
    queue = RedisQueueManager(redis, fresh_id(), 1, 1)
    chat = fresh_id()
    entered = asyncio.Event()

    async def hold() -> None:
        async with queue.job(chat):
            entered.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(hold())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with queue.job(chat):
        assert queue.active() == 1


async def test_bot_wide_rate_holds_across_workers(redis: Redis) -> None:
    bot_id = fresh_id()
    workers = [RedisRateLimiter(redis, bot_id), RedisRateLimiter(redis, bot_id)]
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def send(index: int) -> None:
        await workers[index % 2].wait(fresh_id() if index % 3 else None)
        sent.append(loop.time())

    await asyncio.gather(*(send(index) for index in range(80)))
    sent.sort()
    # Redis decides by its clock; the times here are taken a little after its answer arrives.
    busiest = max(sum(1 for moment in sent if start <= moment < start + 0.95) for start in sent)
    assert GLOBAL_MOST_PER_SECOND - 2 <= busiest <= GLOBAL_MOST_PER_SECOND
    assert sent[-1] - sent[0] >= (80 - GLOBAL_MOST_PER_SECOND) / GLOBAL_MOST_PER_SECOND


async def test_one_private_chat_is_paced_across_workers_without_holding_up_others(redis: Redis) -> None:
    bot_id, chat = fresh_id(), fresh_id()
    first, second = RedisRateLimiter(redis, bot_id), RedisRateLimiter(redis, bot_id)
    loop = asyncio.get_running_loop()
    for _ in range(3):  # the short burst a private chat is allowed
        await first.wait(chat)
    started = loop.time()
    await second.wait(chat)
    assert loop.time() - started >= 0.8
    started = loop.time()
    await second.wait(fresh_id())
    assert loop.time() - started < 0.5


async def test_an_update_is_handled_by_one_worker_only(redis: Redis) -> None:
    bot_id = fresh_id()
    handled: list[str] = []
    update = Update(update_id=fresh_id())

    async def handler(event: Update, data: dict) -> None:
        handled.append("done")

    for claims in (UpdateClaims(redis, bot_id), UpdateClaims(redis, bot_id)):
        await claims(handler, update, {})
    assert handled == ["done"]
