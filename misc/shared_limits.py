"""Limits shared by several bot processes behind one webhook, kept in Redis (`REDIS_URL`).

- Per-chat queue admission: one counter per chat, checked and raised in one Lua call.
- Outgoing pacing: the same GCRA schedule as `OutgoingRateLimiter` (bot-wide and per chat), booked
  atomically in Redis with Redis' clock so that every process sees one calendar.
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

from misc.queue_manager import QueueFullError, QueueManager
from misc.telegram_limits import (
    GLOBAL_PER_SECOND,
    GROUP_BURST,
    GROUP_PER_MINUTE,
    LATE_WAKE_TOLERANCE,
    MAX_REBOOKINGS,
    PRIVATE_BURST,
    PRIVATE_INTERVAL,
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

# KEYS: bot-wide key prefix, chat key. ARGV: sends per second bot-wide, chat interval, chat burst span,
# hold seconds for the chat (0 books a send; >0 holds the chat after a 429).
# The bot-wide limit is a calendar of slots 1/per_second long, one send each: any one-second window holds at
# most per_second + 1 sends, and a send booked for later takes only its own slot, so a chat waiting for its
# turn never delays the other chats.
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local per_second = tonumber(ARGV[1])
local c_interval, c_span = tonumber(ARGV[2]), tonumber(ARGV[3])
local hold = tonumber(ARGV[4])
local c_due = tonumber(redis.call('GET', KEYS[2]) or now)
if hold > 0 then
  local blocked = math.max(c_due, now + hold + c_span)
  redis.call('SET', KEYS[2], tostring(blocked), 'PX', math.ceil((blocked - now + 1) * 1000))
  return '0'
end
local earliest = math.max(now, c_due - c_span)
local slot = math.floor(earliest * per_second)
while not redis.call('SET', KEYS[1] .. ':' .. slot, 1, 'NX', 'EX', 600) do
  slot = slot + 1
end
local send_at = math.max(earliest, slot / per_second)
if c_interval > 0 then
  local c_next = math.max(c_due, send_at) + c_interval
  redis.call('SET', KEYS[2], tostring(c_next), 'PX', math.ceil((c_next - now + 1) * 1000))
end
return tostring(send_at - now)
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
    """Drop-in for `OutgoingRateLimiter` whose calendar lives in Redis."""

    def __init__(self, redis: Redis, bot_id: int) -> None:
        self._redis = redis
        self._book = redis.register_script(_BOOK)
        self._global_key = f"{PREFIX}:pace:{bot_id}:all"
        self._chat_prefix = f"{PREFIX}:pace:{bot_id}:chat:"
        self._private = (PRIVATE_INTERVAL, (PRIVATE_BURST - 1) * PRIVATE_INTERVAL)
        group_interval = 60.0 / (GROUP_PER_MINUTE - GROUP_BURST)
        self._group = (group_interval, (GROUP_BURST - 1) * group_interval)
        self._pending_holds: set[asyncio.Task[Any]] = set()

    async def wait(self, chat_id: int | str | None = None) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(MAX_REBOOKINGS):
            due = loop.time() + float(await self._call(chat_id, hold=0.0))
            await asyncio.sleep(max(0.0, due - loop.time()))
            # A busy event loop wakes us late; sending now would land on top of the sends booked after our
            # slot, so the bot-wide rate would be exceeded at Telegram. Book a fresh slot instead.
            if loop.time() - due <= LATE_WAKE_TOLERANCE:
                return

    def hold(self, chat_id: int | str, seconds: float) -> None:
        # Called synchronously by the retry middleware; the booking itself is async.
        task = asyncio.get_running_loop().create_task(self._call(chat_id, hold=seconds))
        self._pending_holds.add(task)
        task.add_done_callback(self._pending_holds.discard)

    async def _call(self, chat_id: int | str | None, *, hold: float) -> Any:
        if chat_id is None:
            chat_key, pace = f"{self._global_key}:none", (0.0, 0.0)
        else:
            chat_key = f"{self._chat_prefix}{chat_id}"
            pace = self._private if isinstance(chat_id, int) and chat_id > 0 else self._group
        return await self._book(keys=[self._global_key, chat_key], args=[int(GLOBAL_PER_SECOND), *pace, hold])


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
