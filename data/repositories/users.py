from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Executable, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import VideoQuality
from data.models import User, utcnow
from data.repositories.plain import PlainStatements
from data.repositories.records import record_from_row
from data.repositories.upsert import insert_in

# Whom a broadcast reaches: private chats that have not blocked the bot.
BROADCAST_AUDIENCE = and_(User.chat_type == "private", User.blocked.is_(False))


@dataclass(frozen=True, slots=True)
class ChatProfile:
    chat_id: int
    chat_type: str
    language: str | None
    file_mode: bool
    video_quality: str
    caption_description: bool
    blocked: bool
    registered_at: datetime
    referral: str | None


_PROFILE_COLUMNS = tuple(getattr(User, field.name) for field in fields(ChatProfile))
_PROFILE = select(*_PROFILE_COLUMNS).where(User.chat_id == bindparam("chat_id"))
_QUALITY_NAMES = frozenset(VideoQuality)
_SEEN_AGAIN = (
    update(User).where(User.chat_id == bindparam("seen_chat_id")).values(last_seen=bindparam("seen_at"), blocked=False)
)


@functools.cache
def _register_in(dialect: str) -> Executable:
    return insert_in(dialect, User).on_conflict_do_nothing(index_elements=[User.chat_id]).returning(User.chat_id)


def video_quality_of(profile: ChatProfile | None) -> VideoQuality:
    """The quality a chat (or the user of an inline or guest result) gets: best when unknown."""
    if profile is None or profile.video_quality not in _QUALITY_NAMES:
        return VideoQuality.BEST
    return VideoQuality(profile.video_quality)


class UserRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._plain = PlainStatements(sessions)

    async def register(self, chat_id: int, chat_type: str, language: str | None, referral: str | None = None) -> bool:
        """Register a chat once; True when it is new. An existing chat is only marked as seen (and unblocked).

        Two single statements on a plain connection: a burst of new chats (each one's first link) costs no
        ORM session; a chat that another request registered in between is simply marked as seen."""
        now = utcnow()
        new_chat = {
            "chat_id": chat_id, "chat_type": chat_type, "language": language, "referral": referral,
            "registered_at": now, "last_seen": now, "file_mode": False, "blocked": False,
        }  # fmt: skip
        if await self._plain.first(_register_in(self._plain.dialect), new_chat) is not None:
            return True
        await self._plain.run(_SEEN_AGAIN, {"seen_chat_id": chat_id, "seen_at": now})
        return False

    async def get(self, chat_id: int) -> ChatProfile | None:
        # Read on every update: the columns on a plain connection, no session or ORM object.
        row = await self._plain.first(_PROFILE, {"chat_id": chat_id})
        return record_from_row(ChatProfile, row) if row else None

    async def set_language(self, chat_id: int, language: str) -> None:
        await self._update(chat_id, language=language)

    async def set_file_mode(self, chat_id: int, file_mode: bool) -> None:
        await self._update(chat_id, file_mode=file_mode)

    async def set_video_quality(self, chat_id: int, quality: VideoQuality) -> None:
        await self._update(chat_id, video_quality=VideoQuality(quality))

    async def set_caption_description(self, chat_id: int, on: bool) -> None:
        await self._update(chat_id, caption_description=on)

    async def mark_blocked(self, chat_id: int) -> None:
        await self._update(chat_id, blocked=True)

    async def _update(self, chat_id: int, **values: object) -> None:
        async with self._sessions() as session:
            await session.execute(update(User).where(User.chat_id == chat_id).values(**values))
            await session.commit()

    async def private_chat_ids_after(self, last_chat_id: int | None, limit: int) -> list[int]:
        """Private, not-blocked chats in id order (for broadcasts and exports), paged by key."""
        async with self._sessions() as session:
            query = select(User.chat_id).where(BROADCAST_AUDIENCE).order_by(User.chat_id).limit(limit)
            if last_chat_id is not None:
                query = query.where(User.chat_id > last_chat_id)
            return list((await session.execute(query)).scalars())
