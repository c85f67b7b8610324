"""Which limits a process uses: in-process ones, or Redis-shared ones when REDIS_URL is set (several
webhook workers behind one token must share per-chat admission, pacing and update claims).

The Redis client is imported only when REDIS_URL is set: with `cryptography`, which it pulls in, it
costs ~20 MB and ~0.5 s of start-up that a single bot process has no use for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from data.config import Settings
from misc.runtime.queue_manager import JobQueue, QueueManager
from misc.telegram.limits import OutgoingRateLimiter, RateLimiter

if TYPE_CHECKING:
    from misc.runtime.shared_limits import UpdateClaims

REDIS_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class ProcessLimits:
    queue: JobQueue
    limiter: RateLimiter
    update_claims: UpdateClaims | None


@asynccontextmanager
async def process_limits(settings: Settings, bot_id: int) -> AsyncIterator[ProcessLimits]:
    per_chat, total = settings.queue.max_user_queue_size, settings.queue.max_concurrent_jobs
    if not settings.redis_url:
        yield ProcessLimits(QueueManager(per_chat, total), OutgoingRateLimiter(), None)
        return
    from redis.asyncio import Redis

    from misc.runtime.shared_limits import RedisQueueManager, RedisRateLimiter, UpdateClaims

    redis = Redis.from_url(settings.redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    try:
        await redis.ping()
        yield ProcessLimits(
            RedisQueueManager(redis, bot_id, per_chat, total),
            RedisRateLimiter(redis, bot_id),
            UpdateClaims(redis, bot_id),
        )
    finally:
        await redis.aclose()
