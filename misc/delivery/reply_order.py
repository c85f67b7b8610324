"""The links of one message are answered in the message's order, however fast each one is ready.

Each link has a turn: it shows nothing (media or error) before the link before it has finished, and
it is admitted to the chat's queue only after the link before it was admitted, so a freed slot always
goes to the earliest link still waiting and no link ever waits on a later one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(slots=True)
class ReplyTurn:
    previous: ReplyTurn | None = None
    admitted: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_to_show(self) -> None:
        if self.previous is not None:
            await self.previous.finished.wait()

    async def wait_to_queue(self) -> None:
        if self.previous is not None:
            await self.previous.admitted.wait()  # set too when the previous link ends without a slot

    def finish(self) -> None:
        self.admitted.set()
        self.finished.set()


def reply_turns(count: int) -> list[ReplyTurn]:
    turns: list[ReplyTurn] = []
    for _ in range(count):
        turns.append(ReplyTurn(previous=turns[-1] if turns else None))
    return turns
