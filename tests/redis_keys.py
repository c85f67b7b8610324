"""The tests' Redis (TEST_REDIS_URL) and cleaning up after them: every key our code writes names its bot id."""

from __future__ import annotations

import os

from redis.asyncio import Redis

from misc.runtime.shared_limits import PREFIX

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def delete_bot_keys(client: Redis, bot_id: int) -> None:
    keys = [key async for key in client.scan_iter(match=f"{PREFIX}:*:{bot_id}*")]
    if keys:
        await client.delete(*keys)
