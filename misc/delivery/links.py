"""Links in chats: the door into the pipeline, the same for private chats and groups (and "Try again").

A message may hold several links: each is delivered as its own reply, in the message's order (see
reply_order.py). They share the chat's queue: the links of one message wait for the chat's slots instead
of being refused; a link is refused only when the chat is full and none of its message's links is running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from aiogram.enums import ChatType

from misc.delivery.chat_reply import ChatReply
from misc.delivery.failures import FailureReporter
from misc.delivery.media_kinds import PostMedia
from misc.delivery.pipeline import DeliveryPipeline, Order
from misc.delivery.reply_order import ReplyTurn, reply_turns
from misc.delivery.services import DeliveryServices
from misc.runtime.queue_manager import QueueFullError
from misc.telegram.reactions import SharedStatus, StatusDisplay, StatusReactions
from tiktok_api.quality import VideoQuality

Refused = Callable[["LinkRequest", QueueFullError], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """One link to deliver; `message_id` is the user's message (status reactions and replies go there)."""

    chat_id: int
    chat_type: str
    message_id: int
    user_id: int
    link: str
    lang: str
    file_mode: bool = False
    caption_description: bool = True  # the chat's setting: captions carry the post's description
    quality: VideoQuality = VideoQuality.BEST

    @property
    def is_private(self) -> bool:
        return self.chat_type == ChatType.PRIVATE

    @property
    def note_receiver(self) -> int | None:
        """Who can be told privately in a group; nobody when the chat itself wrote (`user_id` is then the chat's)."""
        return self.user_id if self.user_id != self.chat_id else None


class LinkDelivery:
    def __init__(self, services: DeliveryServices, pipeline: DeliveryPipeline, failures: FailureReporter) -> None:
        self._services = services
        self._pipeline = pipeline
        self._failures = failures
        self._posts = PostMedia(services.sender)

    async def deliver(self, request: LinkRequest, on_admitted: Callable[[], Awaitable[Any]] | None = None) -> None:
        """One link. Raises `QueueFullError` at once when the chat has too many links in progress."""
        status = StatusReactions(self._services.bot, request.chat_id, request.message_id)
        await self._pipeline.deliver(self._order(request), self._reply(request, status, None), on_admitted)

    async def deliver_message(self, request: LinkRequest, links: list[str], refused: Refused) -> None:
        """Every link of one message, each its own reply in the message's order. `refused` is told (once)
        about the first link the full chat could not take; the links after it are dropped with it."""
        status = SharedStatus(StatusReactions(self._services.bot, request.chat_id, request.message_id), len(links))
        turns = reply_turns(len(links))
        gave_up = asyncio.Event()
        own_running = _Running()

        async def one(link: str, turn: ReplyTurn) -> None:
            single = replace(request, link=link)
            try:
                await turn.wait_to_queue()
                while not gave_up.is_set():
                    next_end = own_running.next_end()
                    try:
                        await self._deliver_waiting(single, status, turn, own_running)
                        return
                    except QueueFullError as full:
                        if own_running.count:
                            await next_end.wait()
                            continue
                        gave_up.set()
                        await refused(single, full)
                await status.dropped()
            finally:
                turn.finish()

        await asyncio.gather(*(one(link, turn) for link, turn in zip(links, turns, strict=True)))

    async def _deliver_waiting(
        self, request: LinkRequest, status: StatusDisplay, turn: ReplyTurn, running: _Running
    ) -> None:
        async def admitted() -> None:
            turn.admitted.set()
            running.started()

        try:
            await self._pipeline.deliver(self._order(request), self._reply(request, status, turn), admitted)
        finally:
            if turn.admitted.is_set():
                running.ended()

    def _order(self, request: LinkRequest) -> Order:
        return Order(
            requester_id=request.chat_id, lang=request.lang, media=self._posts, link=request.link,
            quality=request.quality,
        )  # fmt: skip

    def _reply(self, request: LinkRequest, status: StatusDisplay, turn: ReplyTurn | None) -> ChatReply:
        return ChatReply(
            self._services, self._failures, request.chat_id, request.chat_type, request.message_id, request.lang,
            status, file_mode=request.file_mode, caption_description=request.caption_description, turn=turn,
            requester_user_id=request.note_receiver,
        )  # fmt: skip


class _Running:
    """How many links of one message hold a slot of the chat's queue, and a wake-up when one gives it back."""

    def __init__(self) -> None:
        self.count = 0
        self._next_end = asyncio.Event()

    def started(self) -> None:
        self.count += 1

    def ended(self) -> None:
        self.count -= 1
        self._next_end.set()
        self._next_end = asyncio.Event()

    def next_end(self) -> asyncio.Event:
        """Set when the next running link ends; taken before trying, so no ending is missed."""
        return self._next_end
