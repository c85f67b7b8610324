"""One row per delivery attempt in `videos` or `music`; failures are stored as failures (DESIGN.md §5)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.models import MediaKind, Music, Outcome, Video

OutcomeName = Literal["success", "failed"]
VideoKind = Literal["video", "slideshow", "slideshow_video"]

_OUTCOMES = frozenset({Outcome.SUCCESS, Outcome.FAILED})
_VIDEO_KINDS = frozenset({MediaKind.VIDEO, MediaKind.SLIDESHOW, MediaKind.SLIDESHOW_VIDEO})
# The column holds 32 characters; an over-long kind must not cost us the row.
_ERROR_KIND_LENGTH = 32


class DeliveryRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record_video(
        self,
        chat_id: int,
        video_id: str,
        *,
        kind: VideoKind = "video",
        is_inline: bool = False,
        outcome: OutcomeName = "success",
        error_kind: str | None = None,
        size: int | None = None,
        duration_ms: int | None = None,
    ) -> None:
        """A video or slideshow delivery (or a failed attempt at one)."""
        if kind not in _VIDEO_KINDS:
            raise ValueError(f"unknown video kind {kind!r}")
        row = Video(chat_id=chat_id, video_id=video_id, kind=kind, **_delivery(is_inline, outcome, error_kind))
        row.bytes, row.duration_ms = size, duration_ms
        await self._add(row)

    async def record_music(
        self,
        chat_id: int,
        video_id: str,
        *,
        is_inline: bool = False,
        outcome: OutcomeName = "success",
        error_kind: str | None = None,
        size: int | None = None,
        duration_ms: int | None = None,
    ) -> None:
        """A sound delivery (or a failed attempt at one)."""
        row = Music(
            chat_id=chat_id, video_id=video_id, kind=MediaKind.MUSIC, **_delivery(is_inline, outcome, error_kind)
        )
        row.bytes, row.duration_ms = size, duration_ms
        await self._add(row)

    async def _add(self, row: Video | Music) -> None:
        async with self._sessions() as session:
            session.add(row)
            await session.commit()


def _delivery(is_inline: bool, outcome: str, error_kind: str | None) -> dict[str, object]:
    if outcome not in _OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    return {
        "is_inline": is_inline,
        "outcome": outcome,
        "error_kind": error_kind[:_ERROR_KIND_LENGTH] if error_kind else None,
    }
