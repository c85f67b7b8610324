"""Telegram's outgoing limits for every API call of a bot: pacing before a send, retries after a refusal.

Telegram allows a bot about 30 messages/s overall, about one message per second in one chat (short
bursts are tolerated) and 20 messages per minute in one group; going over earns 429 with `retry_after`,
and sending again before it passes only extends the ban. `install_telegram_limits` registers a session
middleware so no caller has to remember any of it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol, TypeAlias

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

logger = logging.getLogger("tt-bot.telegram")

ChatKey: TypeAlias = int | str  # a chat id, or "@username" of a public group or channel

# Telegram counts about 30 messages/s per bot; at most this many leave here in any one second, two below
# that for the noise between a send leaving and Telegram counting it (uploads of different sizes).
GLOBAL_MOST_PER_SECOND = 28
# Sends are booked this much below the most per second, so that one the event loop woke late usually
# still finds room and does not push the sends booked after it.
GLOBAL_BOOKING_HEADROOM = 0.5
PRIVATE_INTERVAL = 1.0
# An album followed by its caption message (or a status reply and the video) goes out at once.
PRIVATE_BURST = 3
GROUP_PER_MINUTE = 20
GROUP_BURST = 3
# Per-chat states examined per call when evicting idle ones: keeps memory bounded at O(1) cost.
EVICTION_STEPS = 4

MAX_RETRIES = 5
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
# A longer flood wait is not slept inside a request: it is raised at once and the caller decides.
MAX_RETRY_AFTER = 300.0

# Calls that put a message into a chat (or change one): these are what Telegram's limits count.
_MESSAGE_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
_NOT_MESSAGES = frozenset({"sendChatAction"})
# Polling retries getUpdates with its own backoff; a second layer would only delay shutdowns.
_NOT_RETRIED = frozenset({"getUpdates"})


class RateLimiter(Protocol):
    """What the middleware needs; `OutgoingRateLimiter` here, a Redis-backed one shared by processes."""

    async def wait(self, chat_id: ChatKey | None = None) -> None: ...

    def hold(self, chat_id: ChatKey, seconds: float) -> None: ...


class BotWidePace:
    """Bot-wide pacing: each send books a departure 1/(most − headroom) s after the one before, and when it
    leaves (woken on time or late) it is checked against the sends that really left in the last second.

    The check at departure is what makes the bound exact: no one-second window ever holds more than
    `most_per_second` departures, however late a busy event loop wakes the senders.
    """

    __slots__ = ("_booking_interval", "_left", "_most", "_next_booking")

    def __init__(self, most_per_second: int, booking_headroom: float) -> None:
        if most_per_second < 1 or not 0 <= booking_headroom < most_per_second:
            raise ValueError("most_per_second must be positive and the headroom below it")
        self._most = most_per_second
        self._booking_interval = 1.0 / (most_per_second - booking_headroom)
        self._next_booking = -math.inf
        self._left: deque[float] = deque(maxlen=most_per_second)  # the latest departures, oldest first

    def book(self, now: float) -> float:
        """Book a departure; return when it is (≥ now)."""
        departure = max(now, self._next_booking)
        self._next_booking = departure + self._booking_interval
        return departure

    def wait_to_leave(self, now: float) -> float:
        """Seconds until leaving keeps the bound (0: leave now, then call `leave`)."""
        if len(self._left) < self._most:
            return 0.0
        return max(0.0, self._left[0] + 1.0 - now)

    def leave(self, now: float) -> None:
        self._left.append(now)


class _ChatPace:
    """Per-chat pacing by the generic cell rate algorithm: one send per `interval`, bursts up to `burst`."""

    __slots__ = ("burst_span", "interval")

    def __init__(self, interval: float, burst: int) -> None:
        self.interval = interval
        self.burst_span = (burst - 1) * interval

    def earliest(self, due: float) -> float:
        return due - self.burst_span


class OutgoingRateLimiter:
    """`await limiter.wait(chat_id)` before each message; returns when sending keeps every limit.

    A send first waits for its chat's turn (booked at once, so waiting in one chat never holds up
    another), then for its bot-wide departure. Nothing is locked: each sender sleeps on its own.
    """

    def __init__(
        self,
        *,
        most_per_second: int = GLOBAL_MOST_PER_SECOND,
        booking_headroom: float = GLOBAL_BOOKING_HEADROOM,
        private_interval: float = PRIVATE_INTERVAL,
        private_burst: int = PRIVATE_BURST,
        group_per_minute: int = GROUP_PER_MINUTE,
        group_burst: int = GROUP_BURST,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if private_interval <= 0 or private_burst < 1 or group_burst < 1:
            raise ValueError("intervals and bursts must be positive")
        if group_per_minute <= group_burst:
            raise ValueError("group_per_minute must exceed group_burst")
        self._bot_wide = BotWidePace(most_per_second, booking_headroom)
        self._private = _ChatPace(private_interval, private_burst)
        # Spaced so that a full burst plus the steady rate stays within the per-minute count.
        self._group = _ChatPace(60.0 / (group_per_minute - group_burst), group_burst)
        # Chat -> when its pace is back to idle ("theoretical arrival time"); a chat past it needs no state.
        self._due: OrderedDict[ChatKey, float] = OrderedDict()
        self._clock = clock

    async def wait(self, chat_id: ChatKey | None = None) -> None:
        """Wait for this chat's turn, then for the bot-wide pace; `None` counts against the bot-wide pace only."""
        if chat_id is not None:
            turn = self.book_chat_turn(chat_id)
            if turn > 0:
                await asyncio.sleep(turn)
        now = self._now()
        departure = self._bot_wide.book(now)
        if departure > now:
            await asyncio.sleep(departure - now)
        while True:
            now = self._now()
            delay = self._bot_wide.wait_to_leave(now)
            if delay <= 0:
                self._bot_wide.leave(now)
                return
            await asyncio.sleep(delay)

    def book_chat_turn(self, chat_id: ChatKey) -> float:
        """Book the next send to this chat; return how many seconds from now its turn comes."""
        now = self._now()
        self._evict_idle(now)
        pace = self._pace(chat_id)
        due = self._due.get(chat_id, now)
        send_at = max(now, pace.earliest(due))
        self._due[chat_id] = max(due, send_at) + pace.interval
        self._due.move_to_end(chat_id)
        return send_at - now

    def hold(self, chat_id: ChatKey, seconds: float) -> None:
        """Telegram answered 429 for this chat: send nothing more there for `seconds`."""
        now = self._now()
        pace = self._pace(chat_id)
        blocked_until = now + seconds + pace.burst_span
        self._due[chat_id] = max(self._due.get(chat_id, now), blocked_until)
        self._due.move_to_end(chat_id)

    def tracked_chats(self) -> int:
        """Chats whose pacing state is kept (those that sent recently); for metrics and tests."""
        return len(self._due)

    def _pace(self, chat_id: ChatKey) -> _ChatPace:
        is_private = isinstance(chat_id, int) and chat_id > 0
        return self._private if is_private else self._group

    def _evict_idle(self, now: float) -> None:
        for _ in range(min(EVICTION_STEPS, len(self._due))):
            chat_id, due = next(iter(self._due.items()))
            if due <= now:
                del self._due[chat_id]
            else:
                self._due.move_to_end(chat_id)

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()


class TelegramLimitsMiddleware(BaseRequestMiddleware):
    """Paces message sends through the limiter (none: no pacing) and retries what Telegram asks (or is likely)
    to be retried.

    429 → hold the chat and sleep `retry_after`, then send again (a longer flood wait than
    `max_retry_after` is raised at once); 5xx (with the session of `bot_factory`, also a gateway's HTML
    page or an empty body) and network errors (a refused or reset connection, an answer cut off) →
    exponential backoff; anything else (400, 403, 413, …) is the caller's to handle. A retry repeats the same request:
    aiogram rebuilds the multipart body for each attempt and `BufferedInputFile` / `FSInputFile` read
    their bytes afresh, so the same file is uploaded again.
    """

    def __init__(
        self,
        limiter: RateLimiter | None,
        *,
        max_retries: int = MAX_RETRIES,
        first_backoff: float = FIRST_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        self._limiter = limiter
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        if name in _NOT_RETRIED:
            return await make_request(bot, method)
        paced = _counts_as_message(name)
        chat_id: ChatKey | None = getattr(method, "chat_id", None)
        attempt = 0
        while True:
            if paced and self._limiter is not None:
                await self._limiter.wait(chat_id)
            try:
                return await make_request(bot, method)
            except TelegramEntityTooLarge:
                # aiogram makes 413 a TelegramNetworkError; the same upload would only be refused again.
                raise
            except TelegramRetryAfter as error:
                if attempt >= self._max_retries or error.retry_after > self._max_retry_after:
                    raise
                delay = float(error.retry_after)
                if chat_id is not None and self._limiter is not None:
                    self._limiter.hold(chat_id, delay)
                logger.info("%s: Telegram asked to wait %d s; retry %d", name, error.retry_after, attempt + 1)
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt >= self._max_retries:
                    raise
                delay = min(self._first_backoff * 2**attempt, self._max_backoff)
                logger.warning("%s failed (%s); retry %d in %.1f s", name, type(error).__name__, attempt + 1, delay)
            attempt += 1
            await asyncio.sleep(delay)


def _counts_as_message(api_method: str) -> bool:
    return api_method.startswith(_MESSAGE_PREFIXES) and api_method not in _NOT_MESSAGES


def install_telegram_limits(
    bot: Bot,
    limiter: RateLimiter | None,
    *,
    max_retries: int = MAX_RETRIES,
    first_backoff: float = FIRST_BACKOFF,
    max_backoff: float = MAX_BACKOFF,
    max_retry_after: float = MAX_RETRY_AFTER,
) -> TelegramLimitsMiddleware:
    """Register the pacing-and-retry middleware on the bot's session: every API call of `bot` goes through it.
    Without a limiter only the retries apply."""
    middleware = TelegramLimitsMiddleware(
        limiter,
        max_retries=max_retries,
        first_backoff=first_backoff,
        max_backoff=max_backoff,
        max_retry_after=max_retry_after,
    )
    bot.session.middleware(middleware)
    return middleware
