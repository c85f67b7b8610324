"""Limits shared by several bot processes behind one webhook, kept in Redis (`REDIS_URL`).

- Per-chat queue admission: one counter per chat, checked and raised in one Lua call.
- Outgoing pacing: the same schedule as `OutgoingRateLimiter` (each chat's turn, then the bot-wide pace
  when a send leaves), kept atomically in Redis with Redis' clock so that every process sees one schedule.
- Update de-duplication: an update id is handled by the first process that claims it.
Global concurrency (`MAX_CONCURRENT_JOBS`) stays per process: it protects that process' memory and CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis

from misc.runtime.queue_manager import QueueFullError, QueueManager
from misc.telegram.limits import (
    GLOBAL_BOOKING_HEADROOM,
    GLOBAL_MOST_PER_SECOND,
    GROUP_BURST,
    GROUP_PER_MINUTE,
    PRIVATE_BURST,
    PRIVATE_INTERVAL,
    ChatKey,
)

PREFIX = "ttbot"
# A crashed worker never releases its admissions; the counter forgets them after this long.
ADMISSION_TTL_MS = 15 * 60 * 1000
UPDATE_CLAIM_TTL_S = 24 * 3600

_ADMIT = """
local count = redis.call('INCR', KEYS[1])
local limit = tonumber(ARGV[1])
if limit > 0 and count > limit then
  redis.call('DECR', KEYS[1])
  return -(count - 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return count
"""

_RELEASE = """
local count = redis.call('DECR', KEYS[1])
if count <= 0 then redis.call('DEL', KEYS[1]) end
return count
"""

# KEYS: the chat's key. ARGV: the chat's interval and burst span, hold seconds (0 books the chat's next turn
# and returns the seconds until it; >0 holds the chat after a 429).
_CHAT_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local interval, span, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local due = tonumber(redis.call('GET', KEYS[1]) or now)
local next_due, send_at
if hold > 0 then
  next_due, send_at = math.max(due, now + hold + span), now
else
  send_at = math.max(now, due - span)
  next_due = math.max(due, send_at) + interval
end
redis.call('SET', KEYS[1], tostring(next_due), 'PX', math.ceil((next_due - now + 1) * 1000))
return tostring(send_at - now)
"""

# The bot-wide pace of `BotWidePace`. Booking: KEYS the next free departure, ARGV the booking interval;
# returns the seconds until the booked departure.
_BOT_WIDE_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local departure = math.max(now, tonumber(redis.call('GET', KEYS[1]) or 0))
local next_booking = departure + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(next_booking), 'PX', math.ceil((next_booking - now + 1) * 1000))
return tostring(departure - now)
"""

# Leaving: KEYS the departures of the last second (sorted set by time) and a counter naming them, ARGV the
# most per second. Returns 0 when the send may leave now (and records it), else the seconds to wait.
_BOT_WIDE_LEAVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + 1 - now)
end
redis.call('ZADD', KEYS[1], now, redis.call('INCR', KEYS[2]))
redis.call('PEXPIRE', KEYS[1], 2000)
redis.call('PEXPIRE', KEYS[2], 2000)
return '0'
"""


class RedisQueueManager:
    """Per-chat admission in Redis, shared by every worker; global slots from a local QueueManager."""

    def __init__(self, redis: Redis, bot_id: int, max_per_chat: int, max_total: int) -> None:
        self._redis = redis
        self._key_prefix = f"{PREFIX}:jobs:{bot_id}:"
        self._max_per_chat = max_per_chat
        self._local = QueueManager(max_per_chat=0, max_total=max_total)
        self._admit = redis.register_script(_ADMIT)
        self._release = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def job(self, chat_id: int) -> AsyncIterator[None]:
        key = f"{self._key_prefix}{chat_id}"
        count = int(await self._admit(keys=[key], args=[self._max_per_chat, ADMISSION_TTL_MS]))
        if count < 0:
            raise QueueFullError(-count)
        try:
            async with self._local.job(chat_id):
                yield
        finally:
            # Shielded: a cancelled job must still give its admission back.
            await asyncio.shield(self._release(keys=[key]))

    def in_progress(self, chat_id: int) -> int:
        return self._local.in_progress(chat_id)

    def active(self) -> int:
        return self._local.active()

    def waiting(self) -> int:
        return self._local.waiting()

    async def wait_idle(self) -> None:
        await self._local.wait_idle()


class RedisRateLimiter:
    """Drop-in for `OutgoingRateLimiter` whose schedule lives in Redis."""

    def __init__(self, redis: Redis, bot_id: int) -> None:
        self._chat_turn = redis.register_script(_CHAT_TURN)
        self._bot_wide_book = redis.register_script(_BOT_WIDE_BOOK)
        self._bot_wide_leave = redis.register_script(_BOT_WIDE_LEAVE)
        prefix = f"{PREFIX}:pace:{bot_id}"
        self._booking_key = f"{prefix}:next"
        self._departure_keys = [f"{prefix}:left", f"{prefix}:left-count"]
        self._booking_interval = 1.0 / (GLOBAL_MOST_PER_SECOND - GLOBAL_BOOKING_HEADROOM)
        self._chat_prefix = f"{prefix}:chat:"
        self._private = (PRIVATE_INTERVAL, (PRIVATE_BURST - 1) * PRIVATE_INTERVAL)
        group_interval = 60.0 / (GROUP_PER_MINUTE - GROUP_BURST)
        self._group = (group_interval, (GROUP_BURST - 1) * group_interval)
        self._pending_holds: set[asyncio.Task[Any]] = set()

    async def wait(self, chat_id: ChatKey | None = None) -> None:
        if chat_id is not None:
            turn = float(await self._book_chat(chat_id, hold=0.0))
            if turn > 0:
                await asyncio.sleep(turn)
        departure = float(await self._bot_wide_book(keys=[self._booking_key], args=[self._booking_interval]))
        if departure > 0:
            await asyncio.sleep(departure)
        while True:
            delay = float(await self._bot_wide_leave(keys=self._departure_keys, args=[GLOBAL_MOST_PER_SECOND]))
            if delay <= 0:
                return
            await asyncio.sleep(delay)

    def hold(self, chat_id: ChatKey, seconds: float) -> None:
        # Called synchronously by the retry middleware; the booking itself is async.
        task = asyncio.get_running_loop().create_task(self._book_chat(chat_id, hold=seconds))
        self._pending_holds.add(task)
        task.add_done_callback(self._pending_holds.discard)

    async def _book_chat(self, chat_id: ChatKey, *, hold: float) -> Any:
        pace = self._private if isinstance(chat_id, int) and chat_id > 0 else self._group
        return await self._chat_turn(keys=[f"{self._chat_prefix}{chat_id}"], args=[*pace, hold])


class UpdateClaims(BaseMiddleware):
    """Outer update middleware: an update that another worker (or a redelivery) already claimed is dropped."""

    def __init__(self, redis: Redis, bot_id: int) -> None:
        self._redis = redis
        self._prefix = f"{PREFIX}:update:{bot_id}:"

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            claimed = await self._redis.set(f"{self._prefix}{event.update_id}", 1, nx=True, ex=UPDATE_CLAIM_TTL_S)
            if not claimed:
                return None
        return await handler(event, data)
