"""Download admission: at most `max_per_chat` jobs per chat and `max_total` running in the process.

A job is counted for its chat from the moment it is admitted until its block exits, waiting included, so
a chat cannot pile up more work than its limit. Global slots are handed out round-robin between chats
(first come, first served within a chat): a group that pastes a hundred links waits behind nobody's
single link. Every operation is O(1) (amortised); a job cancelled at any point gives back what it held.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class QueueFullError(Exception):
    """The chat already has its maximum number of jobs; nothing was queued."""

    def __init__(self, in_progress: int) -> None:
        super().__init__(f"{in_progress} jobs already in progress for this chat")
        self.in_progress = in_progress


class JobQueue(Protocol):
    """What handlers rely on; a Redis-backed variant shared between processes implements the same."""

    def job(self, chat_id: int) -> AbstractAsyncContextManager[None]: ...

    def in_progress(self, chat_id: int) -> int: ...

    def active(self) -> int: ...

    async def wait_idle(self) -> None: ...


class _ChatLine:
    """The jobs of one chat waiting for a global slot, in arrival order."""

    __slots__ = ("chat_id", "live", "waiters")

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self.waiters: deque[asyncio.Future[None]] = deque()
        # Cancelled waiters stay in `waiters` until they reach the head; `live` counts the others.
        self.live = 0


class QueueManager:
    def __init__(self, max_per_chat: int, max_total: int) -> None:
        if max_per_chat < 0:
            raise ValueError("max_per_chat must be 0 (no limit) or positive")
        if max_total < 1:
            raise ValueError("max_total must be at least 1")
        self._max_per_chat = max_per_chat
        self._max_total = max_total
        self._jobs_per_chat: dict[int, int] = {}
        self._running = 0
        self._lines: dict[int, _ChatLine] = {}
        # Chats with waiting jobs, in the order they get their next slot. A line whose last waiter was
        # cancelled stays here with live == 0 and is skipped when its turn comes.
        self._turns: deque[_ChatLine] = deque()
        self._waiting = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def job(self, chat_id: int) -> AsyncIterator[None]:
        """Admit a job for the chat (or raise QueueFullError at once), wait for a global slot, hold it."""
        self._admit(chat_id)
        try:
            await self._acquire_slot(chat_id)
            try:
                yield
            finally:
                self._release_slot()
        finally:
            self._discharge(chat_id)

    def in_progress(self, chat_id: int) -> int:
        """Jobs of this chat admitted and not finished: running or waiting for a slot."""
        return self._jobs_per_chat.get(chat_id, 0)

    def active(self) -> int:
        """Jobs holding a global slot right now."""
        return self._running

    def waiting(self) -> int:
        """Admitted jobs still waiting for a global slot."""
        return self._waiting

    async def wait_idle(self) -> None:
        """Return once no job is admitted (for a graceful shutdown, under the caller's deadline)."""
        await self._idle.wait()

    def _admit(self, chat_id: int) -> None:
        count = self._jobs_per_chat.get(chat_id, 0)
        if self._max_per_chat and count >= self._max_per_chat:
            raise QueueFullError(count)
        self._jobs_per_chat[chat_id] = count + 1
        self._idle.clear()

    def _discharge(self, chat_id: int) -> None:
        count = self._jobs_per_chat[chat_id] - 1
        if count:
            self._jobs_per_chat[chat_id] = count
            return
        del self._jobs_per_chat[chat_id]
        if not self._jobs_per_chat:
            self._idle.set()

    async def _acquire_slot(self, chat_id: int) -> None:
        if self._running < self._max_total and not self._waiting:
            self._running += 1
            return
        line = self._lines.get(chat_id)
        if line is None:
            line = self._lines[chat_id] = _ChatLine(chat_id)
            self._turns.append(line)
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line.waiters.append(ticket)
        line.live += 1
        self._waiting += 1
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                # The slot was handed over just before the cancellation arrived: pass it on.
                self._release_slot()
            else:
                self._forget_waiter(line)
            raise

    def _forget_waiter(self, line: _ChatLine) -> None:
        line.live -= 1
        self._waiting -= 1
        if line.live == 0 and self._lines.get(line.chat_id) is line:
            del self._lines[line.chat_id]

    def _release_slot(self) -> None:
        self._running -= 1
        while self._waiting and self._running < self._max_total:
            self._hand_slot_to_next_chat()

    def _hand_slot_to_next_chat(self) -> None:
        line = self._turns.popleft()
        if line.live == 0:
            return
        ticket = line.waiters.popleft()
        while ticket.done():  # cancelled while waiting
            ticket = line.waiters.popleft()
        ticket.set_result(None)
        self._running += 1
        self._waiting -= 1
        line.live -= 1
        if line.live:
            self._turns.append(line)
        else:
            del self._lines[line.chat_id]
