"""SQL building blocks shared by the stats queries and the rollups.

Deliveries tell private chats from groups by the sign of the chat id: Telegram gives private chats
the user's (positive) id and groups, supergroups and channels negative ids, so no join is needed.
Days and hours are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, String, case, cast, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Subquery

from data.kinds import HEVC_NAMES, Outcome
from data.models import Music, User, Video
from data.repositories.stats.reports import Audience, Period

NOTHING_ROLLED_UP = datetime(1970, 1, 1, tzinfo=UTC)
_TRUNCATE_PATTERNS = {"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00", "month": "%Y-%m-01 00:00:00"}


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def as_utc(value: datetime | str) -> datetime:
    """SQLite hands back naive datetimes (or strings, for computed columns); they are UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def constant(value: str) -> ColumnElement[str]:
    """An inline SQL string constant: GROUP BY must see the very expression of the SELECT list."""
    return literal_column(f"'{value}'", String)


def audience_of_chat(chat_id: ColumnElement[int]) -> ColumnElement[str]:
    return case((chat_id > 0, constant(Audience.PRIVATE)), else_=constant(Audience.GROUP))


def audience_of_user() -> ColumnElement[str]:
    return case((User.chat_type == constant("private"), constant(Audience.PRIVATE)), else_=constant(Audience.GROUP))


def attempts(since: datetime, until: datetime | None = None) -> Subquery:
    """Every delivery attempt (videos, slideshows and sounds) recorded in [since, until). `source` is the kind
    (video, slideshow, music), `door` the way it came (chat, inline, guest)."""
    parts = []
    for model in (Video, Music):
        conditions = [model.created_at >= since]
        if until is not None:
            conditions.append(model.created_at < until)
        # Sounds have no probed video facts.
        codec = Video.codec if model is Video else cast(null(), String(16))
        has_audio = Video.has_audio if model is Video else cast(null(), Boolean)
        parts.append(
            select(
                model.kind.label("source"),
                model.source.label("door"),
                codec.label("codec"),
                has_audio.label("has_audio"),
                model.chat_id,
                model.video_id,
                model.outcome,
                model.is_inline,
                model.bytes,
                model.duration_ms,
                model.error_kind,
                model.created_at,
            ).where(*conditions)
        )
    return union_all(*parts).subquery("attempts")


def door_tally(raw: Subquery) -> tuple[ColumnElement[int], ...]:
    """Over successful attempts grouped by door: deliveries, silent videos, HEVC videos."""
    silent = func.coalesce(func.sum(case((raw.c.has_audio.is_(False), 1), else_=0)), 0)
    hevc = func.coalesce(func.sum(case((raw.c.codec.in_(sorted(HEVC_NAMES)), 1), else_=0)), 0)
    return func.count().label("deliveries"), silent.label("silent"), hevc.label("hevc")


def delivered(raw: Subquery) -> ColumnElement[bool]:
    return raw.c.outcome == constant(Outcome.SUCCESS)


class Dialect:
    """The few expressions and settings that PostgreSQL and SQLite spell differently."""

    def __init__(self, name: str) -> None:
        self.is_postgres = name == "postgresql"

    @classmethod
    def of(cls, session: AsyncSession) -> Dialect:
        return cls(session.get_bind().dialect.name)

    def day_of(self, moment: ColumnElement[datetime]) -> ColumnElement[date]:
        if self.is_postgres:
            return cast(func.timezone(constant("UTC"), moment), Date)
        return func.date(moment)

    def truncate(self, unit: str, moment: ColumnElement[Any]) -> ColumnElement[Any]:
        """Start of the hour/day/month holding a timestamptz or a date, as UTC wall time."""
        if not self.is_postgres:
            return func.strftime(constant(_TRUNCATE_PATTERNS[unit]), moment)
        if isinstance(moment.type, DateTime):
            wall_time = func.timezone(constant("UTC"), moment)
        else:
            wall_time = cast(moment, DateTime(timezone=False))
        return func.date_trunc(constant(unit), wall_time)

    def greatest(self, left: ColumnElement[Any], right: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.greatest(left, right) if self.is_postgres else func.max(left, right)

    async def tune(self, session: AsyncSession, work_mem: str) -> None:
        """Per-transaction settings for big aggregations. JIT compilation costs more than it saves on
        queries that finish in milliseconds; sorts and hashes of whole windows need memory."""
        if self.is_postgres:
            settings = (func.set_config("jit", "off", True), func.set_config("work_mem", work_mem, True))
            await session.execute(select(*settings))


PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30}


@dataclass(frozen=True, slots=True)
class Window:
    """A period as the queries see it: rolled-up days from `from_day` on (all of them when None) when
    `uses_rollups`, plus the raw rows at or after `raw_since`. `since` is where the period starts."""

    since: datetime | None
    raw_since: datetime
    from_day: date | None
    uses_rollups: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent read: rows at or after `horizon` are read raw, the days before it from rollups."""

    session: AsyncSession
    sql: Dialect
    now: datetime
    horizon: datetime

    def window(self, period: Period) -> Window:
        if period is Period.DAY:
            since = self.now - timedelta(hours=24)
            return Window(since=since, raw_since=since, from_day=None, uses_rollups=False)
        if period is Period.ALL:
            return Window(since=None, raw_since=self.horizon, from_day=None, uses_rollups=True)
        # Calendar days, today included, so the figures match the daily buckets of the graphs.
        from_day = self.now.date() - timedelta(days=PERIOD_DAYS[period] - 1)
        since = midnight(from_day)
        return Window(since=since, raw_since=max(self.horizon, since), from_day=from_day, uses_rollups=True)
