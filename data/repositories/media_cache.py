"""Telegram file ids of media already sent, by post id, kind and quality, so a repeated link costs no download.

Video kinds are kept apart by the chat's video quality (best when not told); other kinds have no
renditions and are stored under "any" whatever quality is passed (data/kinds.py `cache_quality`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable, bindparam, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import cache_quality
from data.models import MediaCache, utcnow
from data.repositories.plain import PlainStatements
from data.repositories.upsert import insert_in

_ENTRIES = select(MediaCache.kind, MediaCache.file_ids, MediaCache.meta).where(
    MediaCache.video_id == bindparam("video_id"),
    tuple_(MediaCache.kind, MediaCache.quality).in_(bindparam("keys", expanding=True)),
)
_KEY = (MediaCache.video_id, MediaCache.kind, MediaCache.quality)
_REPLACED = ("file_ids", "meta", "created_at")


@functools.cache
def _put_in(dialect: str) -> Executable:
    insert = insert_in(dialect, MediaCache)
    return insert.on_conflict_do_update(
        index_elements=list(_KEY), set_={column: insert.excluded[column] for column in _REPLACED}
    )


@dataclass(frozen=True, slots=True)
class CachedMedia:
    """What a cached answer needs without TikTok: the file ids (one per album item) and the post's facts."""

    file_ids: list[str]
    meta: dict[str, Any] = field(default_factory=dict)


class MediaCacheRepository:
    """Kinds: data/kinds.py `CacheKind`; qualities: `VideoQuality` for video kinds, else "any"."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._plain = PlainStatements(sessions)

    async def first_of(
        self, video_id: str, kinds: Sequence[str], *, quality: str | None = None
    ) -> tuple[str, CachedMedia] | None:
        """The entry of the first of `kinds` (in that order) the post has in `quality`, and its kind; one query."""
        keys = [(kind, cache_quality(kind, quality)) for kind in kinds]
        found = await self._plain.all(_ENTRIES, {"video_id": video_id, "keys": keys})
        rows = {row.kind: row for row in found if row.file_ids}
        for kind in kinds:
            if kind in rows:
                return kind, CachedMedia(file_ids=list(rows[kind].file_ids), meta=dict(rows[kind].meta or {}))
        return None

    async def put(
        self,
        video_id: str,
        kind: str,
        file_ids: list[str],
        meta: dict[str, Any] | None = None,
        *,
        quality: str | None = None,
    ) -> None:
        """Store or replace the entry (a fresh upload after a stale file id replaces the old ids)."""
        if not file_ids:
            raise ValueError("a cache entry needs at least one file id")
        entry = {
            "video_id": video_id, "kind": kind, "quality": cache_quality(kind, quality),
            "file_ids": list(file_ids), "meta": dict(meta or {}), "created_at": utcnow(),
        }  # fmt: skip
        await self._plain.run(_put_in(self._plain.dialect), entry)

    async def drop(self, video_id: str, kind: str, *, quality: str | None = None) -> None:
        """Forget an entry whose file ids Telegram no longer accepts."""
        entry = (
            MediaCache.video_id == video_id,
            MediaCache.kind == kind,
            MediaCache.quality == cache_quality(kind, quality),
        )
        async with self._sessions() as session:
            await session.execute(delete(MediaCache).where(*entry))
            await session.commit()
