"""What the end-to-end bot tests look at: rows in PostgreSQL, buttons and pictures the fake Telegram got."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import cache_quality
from data.models import MediaCache, Music, User, Video

WAIT_TIMEOUT = 15.0
POLL_INTERVAL = 0.02
Result = TypeVar("Result")


async def eventually(
    probe: Callable[[], Awaitable[Result]], accept: Callable[[Result], bool], timeout: float = WAIT_TIMEOUT
) -> Result:
    """Probe until `accept` holds (for state the bot writes after its last Telegram call)."""
    async with asyncio.timeout(timeout):
        while True:
            value = await probe()
            if accept(value):
                return value
            await asyncio.sleep(POLL_INTERVAL)


async def video_rows(sessions: async_sessionmaker[AsyncSession], count: int = 1) -> list[Video]:
    async def rows() -> list[Video]:
        async with sessions() as session:
            return list((await session.scalars(select(Video).order_by(Video.id))).all())

    return await eventually(rows, lambda found: len(found) >= count)


async def music_rows(sessions: async_sessionmaker[AsyncSession], count: int = 1) -> list[Music]:
    async def rows() -> list[Music]:
        async with sessions() as session:
            return list((await session.scalars(select(Music).order_by(Music.id))).all())

    return await eventually(rows, lambda found: len(found) >= count)


async def user_row(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> User | None:
    async with sessions() as session:
        return await session.get(User, chat_id)


async def cache_row(
    sessions: async_sessionmaker[AsyncSession], video_id: str, kind: str, quality: str | None = None
) -> MediaCache | None:
    async with sessions() as session:
        return await session.get(MediaCache, (video_id, kind, cache_quality(kind, quality)))


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def callback_data(params: dict[str, Any]) -> list[str]:
    return [button["callback_data"] for button in buttons(params) if "callback_data" in button]


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reply_allows_missing_message(params: dict[str, Any]) -> bool:
    reply = params.get("reply_parameters") or {}
    return bool(reply.get("allow_sending_without_reply"))


async def reaction_cleared(fake_telegram: Any, chat_id: int, message_id: int) -> None:
    """Wait for the bot to take its status reaction off a message (the last step of a delivery)."""
    await fake_telegram.wait_for_call(
        "setMessageReaction",
        lambda call: (
            call.params["chat_id"] == chat_id
            and call.params["message_id"] == message_id
            and not call.params.get("reaction")
        ),
        timeout=WAIT_TIMEOUT,
    )
