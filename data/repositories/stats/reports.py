"""What the stats repository answers: plain, typed values with no database or Telegram in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from data.kinds import CONTENT_ANSWERS, DeliverySource, ErrorKind
from data.models import MediaKind


class Audience(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class Source(StrEnum):
    VIDEO = MediaKind.VIDEO
    SLIDESHOW = MediaKind.SLIDESHOW
    MUSIC = MediaKind.MUSIC


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class Metric(StrEnum):
    REGISTRATIONS = "registrations"
    VIDEOS = "videos"
    SOUNDS = "sounds"


class Span(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class AudienceFigures:
    registrations: int = 0
    videos: int = 0
    slideshows: int = 0
    sounds: int = 0
    active_chats: int = 0


@dataclass(frozen=True, slots=True)
class QuickStats:
    all_time: dict[Audience, AudienceFigures]
    last_24h: dict[Audience, AudienceFigures]


@dataclass(frozen=True, slots=True)
class DeliveryTally:
    succeeded: int = 0
    failed: int = 0
    inline: int = 0
    bytes: int = 0


@dataclass(frozen=True, slots=True)
class PeriodReport:
    period: Period
    since: datetime | None
    registrations: dict[Audience, int]
    active_chats: dict[Audience, int]
    deliveries: dict[Source, DeliveryTally]


@dataclass(frozen=True, slots=True)
class ReferralReport:
    referred: int
    top: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class ChatActivity:
    chat_id: int
    chat_type: str | None
    requests: int


@dataclass(frozen=True, slots=True)
class OtherStats:
    chats: int
    file_mode_chats: int
    blocked_chats: int
    languages: list[tuple[str | None, int]]
    top_chats: list[ChatActivity]


@dataclass(frozen=True, slots=True)
class Timing:
    samples: int
    p50_ms: int
    p95_ms: int


@dataclass(frozen=True, slots=True)
class ReliabilityReport:
    period: Period
    attempts: int
    succeeded: int
    errors: list[tuple[str | None, int]]
    timings: dict[Source, Timing]
    # Successful deliveries by door (chat, inline, guest), and the silent and HEVC videos among them.
    doors: dict[DeliverySource, int] = field(default_factory=dict)
    silent: int = 0
    hevc: int = 0

    @property
    def pages_unread(self) -> int:
        """Failures because TikTok's page could not be read (what a site change looks like)."""
        return sum(n for kind, n in self.errors if kind == ErrorKind.EXTRACTION)

    @property
    def content_answers(self) -> int:
        """Failures because of the post itself: deleted, private, region-locked, …"""
        return sum(n for kind, n in self.errors if kind in CONTENT_ANSWERS)


@dataclass(frozen=True, slots=True)
class Series:
    """Counts per bucket, oldest first; the last bucket is the one that holds "now"."""

    metric: Metric
    span: Span
    buckets: list[datetime]
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class ChatRecord:
    chat_type: str
    language: str | None
    referral: str | None
    file_mode: bool
    blocked: bool
    registered_at: datetime
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class ChatReport:
    chat_id: int
    record: ChatRecord | None
    deliveries: dict[Source, DeliveryTally]
    first_request: datetime | None
    last_request: datetime | None

    @property
    def requests(self) -> int:
        return sum(tally.succeeded + tally.failed for tally in self.deliveries.values())


@dataclass(frozen=True, slots=True)
class HistoryRow:
    created_at: datetime
    source: str
    video_id: str
    outcome: str
    error_kind: str | None
    is_inline: bool
    bytes: int | None
    duration_ms: int | None
