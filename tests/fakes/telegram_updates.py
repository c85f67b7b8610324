"""The update queue behind getUpdates (long polling) and webhook delivery."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakes.telegram_types import ApiError

# What Telegram leaves out when allowed_updates is empty or never set.
_NOT_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class Pulse:
    """Wakes every current waiter each time it fires."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None = None) -> bool:
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    def __init__(self, first_update_id: int = 100_000_001) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = first_update_id
        self._undelivered: set[int] = set()
        self._allowed: frozenset[str] | None = None
        self._generation = 0
        self._closed = False
        self.arrived = Pulse()
        self.consumed = Pulse()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def all_consumed(self) -> bool:
        return not self._undelivered

    def add(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._next_id += 1
        self._pending.append(update)
        self._undelivered.add(update["update_id"])
        self.arrived.fire()
        return update

    def set_allowed(self, allowed: Any) -> None:
        """A list replaces the setting (empty = the default set); anything else keeps the previous one."""
        if isinstance(allowed, list):
            self._allowed = frozenset(map(str, allowed)) or None

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        return kind not in _NOT_DEFAULT if self._allowed is None else kind in self._allowed

    def confirm(self, offset: int) -> None:
        """Updates below `offset` are confirmed; a negative offset keeps only the last -offset updates."""
        if offset < 0:
            self._forget(self._pending[:offset] if -offset < len(self._pending) else [])
        else:
            self._forget([u for u in self._pending if u["update_id"] < offset])

    def drop_all(self) -> None:
        self._forget(list(self._pending))

    def _forget(self, updates: list[dict[str, Any]]) -> None:
        ids = {u["update_id"] for u in updates}
        self._pending = [u for u in self._pending if u["update_id"] not in ids]
        self._settle(ids)

    def _settle(self, ids: set[int]) -> None:
        if ids & self._undelivered:
            self._undelivered -= ids
            self.consumed.fire()

    def next_batch(self, limit: int) -> list[dict[str, Any]]:
        """Pending updates the bot accepts; ones it did not ask for are dropped as Telegram does."""
        refused = [u for u in self._pending if not self._is_allowed(u)]
        if refused:
            self._forget(refused)
        return self._pending[:limit]

    def mark_delivered(self, batch: list[dict[str, Any]]) -> None:
        self._settle({u["update_id"] for u in batch})

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: answer at once when something is pending, else hold until an update or timeout."""
        self._generation += 1
        generation = self._generation
        self.arrived.fire()  # a poll still waiting is now superseded
        if offset is not None:
            self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        while True:
            batch = self.next_batch(limit)
            if batch:
                self.mark_delivered(batch)
                return batch
            if self._closed:
                return []
            if generation != self._generation:
                raise ApiError(409, _CONFLICT)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self.arrived.wait(remaining)

    async def wait_consumed(self) -> None:
        while self._undelivered:
            await self.consumed.wait()

    def close(self) -> None:
        self._closed = True
        self.arrived.fire()
