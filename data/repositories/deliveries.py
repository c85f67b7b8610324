"""One row per delivery attempt in `videos` or `music`; failures are stored as failures (DESIGN.md §5)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import DeliverySource
from data.models import MediaKind, Music, Outcome, Video
from data.repositories.plain import PlainStatements

OutcomeName = Literal["success", "failed"]
VideoKind = Literal["video", "slideshow", "slideshow_video"]

_OUTCOMES = frozenset({Outcome.SUCCESS, Outcome.FAILED})
_VIDEO_KINDS = frozenset({MediaKind.VIDEO, MediaKind.SLIDESHOW, MediaKind.SLIDESHOW_VIDEO})
# The columns hold 32 and 16 characters; an over-long name must not cost us the row.
_ERROR_KIND_LENGTH = 32
_SHORT_NAME_LENGTH = 16
_INSERTS = {Video: insert(Video), Music: insert(Music)}


class DeliveryRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._plain = PlainStatements(sessions)

    async def record_video(
        self,
        chat_id: int,
        video_id: str,
        *,
        kind: VideoKind = "video",
        source: DeliverySource | None = None,
        is_inline: bool = False,
        outcome: OutcomeName = "success",
        error_kind: str | None = None,
        size: int | None = None,
        duration_ms: int | None = None,
        codec: str | None = None,
        height: int | None = None,
        has_audio: bool | None = None,
    ) -> None:
        """A video or slideshow delivery (or a failed attempt at one); `codec`, `height` and `has_audio` are
        what the downloaded file was found to hold, None when it was not looked into."""
        if kind not in _VIDEO_KINDS:
            raise ValueError(f"unknown video kind {kind!r}")
        await self._insert(
            Video,
            chat_id=chat_id,
            video_id=video_id,
            kind=kind,
            bytes=size,
            duration_ms=duration_ms,
            codec=codec[:_SHORT_NAME_LENGTH] if codec else None,
            height=height,
            has_audio=has_audio,
            **_delivery(source, is_inline, outcome, error_kind),
        )

    async def record_music(
        self,
        chat_id: int,
        video_id: str,
        *,
        source: DeliverySource | None = None,
        is_inline: bool = False,
        outcome: OutcomeName = "success",
        error_kind: str | None = None,
        size: int | None = None,
        duration_ms: int | None = None,
    ) -> None:
        """A sound delivery (or a failed attempt at one)."""
        await self._insert(
            Music,
            chat_id=chat_id,
            video_id=video_id,
            kind=MediaKind.MUSIC,
            bytes=size,
            duration_ms=duration_ms,
            **_delivery(source, is_inline, outcome, error_kind),
        )

    async def _insert(self, table: type[Video | Music], **values: object) -> None:
        # A plain INSERT: an ORM object would cost a unit of work for a row nobody reads back.
        await self._plain.run(_INSERTS[table], values)


def _delivery(
    source: DeliverySource | None, is_inline: bool, outcome: str, error_kind: str | None
) -> dict[str, object]:
    """The shared columns. Without a `source`, `is_inline` tells it (the callers from before sources);
    with one, `is_inline` follows it (an inline result is the only door that sets it)."""
    if outcome not in _OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if source is None:
        source = DeliverySource.INLINE if is_inline else DeliverySource.CHAT
    return {
        "source": DeliverySource(source),
        "is_inline": source == DeliverySource.INLINE,
        "outcome": outcome,
        "error_kind": error_kind[:_ERROR_KIND_LENGTH] if error_kind else None,
    }
