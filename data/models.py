"""Typed tables. Names are a contract (DESIGN.md §5): operators' scripts and the stats bot read them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    func,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.kinds import DeliverySource, MediaKind, Outcome, VideoQuality

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite numbers rows only for an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT for ids that grow for years.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """`timestamptz` on PostgreSQL; on SQLite, which keeps no zone, values read back as UTC-aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), int: BigInteger}


class User(Base):
    """One row per chat that talked to the bot: private users and groups alike (`chat_type` tells)."""

    __tablename__ = "users"

    chat_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    chat_type: Mapped[str] = mapped_column(String(16), default="private")
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp(), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    referral: Mapped[str | None] = mapped_column(String(64), index=True)
    file_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    video_quality: Mapped[str] = mapped_column(String(16), default=VideoQuality.BEST, server_default=VideoQuality.BEST)
    caption_description: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_seen: Mapped[datetime | None] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_users_language", "language"),
        # Few chats turn these on: partial indexes keep the counts cheap on millions of rows.
        Index("ix_users_file_mode_on", "chat_id", postgresql_where=text("file_mode"), sqlite_where=text("file_mode")),
        Index("ix_users_blocked_on", "chat_id", postgresql_where=text("blocked"), sqlite_where=text("blocked")),
    )


class _Delivery:
    """Columns shared by `videos` and `music`: one row per delivery attempt, failed ones included."""

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(index=True)
    video_id: Mapped[str] = mapped_column(String(32))
    is_inline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source: Mapped[str] = mapped_column(String(16), default=DeliverySource.CHAT, server_default=DeliverySource.CHAT)
    outcome: Mapped[str] = mapped_column(String(16), default=Outcome.SUCCESS)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    bytes: Mapped[int | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp(), index=True)


class Video(_Delivery, Base):
    __tablename__ = "videos"

    kind: Mapped[str] = mapped_column(String(16), default=MediaKind.VIDEO)
    # What the probe of the downloaded file found; NULL for slideshows, failures and rows from before 0003.
    codec: Mapped[str | None] = mapped_column(String(16))
    height: Mapped[int | None] = mapped_column(Integer)
    has_audio: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (Index("ix_videos_kind_created_at", "kind", "created_at"),)


class Music(_Delivery, Base):
    __tablename__ = "music"

    kind: Mapped[str] = mapped_column(String(16), default=MediaKind.MUSIC)


class MediaCache(Base):
    """Telegram file ids of media already sent, keyed by post id, kind and quality, so a repeat costs no
    download. `quality` is the chat's video quality for video kinds and "any" for the others."""

    __tablename__ = "media_cache"

    video_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    quality: Mapped[str] = mapped_column(String(16), primary_key=True)
    file_ids: Mapped[list[str]] = mapped_column(JSON)
    meta: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())


class Broadcast(Base):
    """A persisted broadcast job: the message to copy and how far delivery has got."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    admin_chat_id: Mapped[int]
    from_chat_id: Mapped[int]
    message_id: Mapped[int]
    reply_markup: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    last_chat_id: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())
    finished_at: Mapped[datetime | None]


class BroadcastDelivery(Base):
    """One row per recipient of a broadcast: the unique key is what makes delivery exactly-once."""

    __tablename__ = "broadcast_deliveries"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())
