"""Counts per hour, day or month for the graphs; every bucket is listed, empty ones as zero."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.sql import ColumnElement, Select

from data.models import Music, Outcome, User, Video
from data.repositories.stats.reports import Metric, Series, Source, Span
from data.repositories.stats.sql import Snapshot, as_date, as_utc, constant, midnight
from data.repositories.stats.tables import daily_deliveries, daily_registrations

SPAN_DAYS = {Span.WEEKLY: 7, Span.MONTHLY: 30}
HOURS_IN_DAILY_GRAPH = 24


def _succeeded(model: type) -> Sequence[ColumnElement[bool]]:
    return (model.outcome == constant(Outcome.SUCCESS),)


@dataclass(frozen=True, slots=True)
class _MetricSource:
    """Where a graphed metric lives: its rollup column and filter, and its raw table."""

    rollup_value: ColumnElement[int]
    rollup_filter: Sequence[ColumnElement[bool]]
    raw_model: type
    raw_time: ColumnElement[datetime]
    raw_filter: Callable[[type], Sequence[ColumnElement[bool]]] = field(default=lambda model: ())


METRIC_SOURCES = {
    Metric.REGISTRATIONS: _MetricSource(
        rollup_value=daily_registrations.c.registrations,
        rollup_filter=(),
        raw_model=User,
        raw_time=User.registered_at,
    ),
    Metric.VIDEOS: _MetricSource(
        rollup_value=daily_deliveries.c.deliveries,
        rollup_filter=(
            daily_deliveries.c.source.in_([Source.VIDEO.value, Source.SLIDESHOW.value]),
            daily_deliveries.c.outcome == Outcome.SUCCESS,
        ),
        raw_model=Video,
        raw_time=Video.created_at,
        raw_filter=_succeeded,
    ),
    Metric.SOUNDS: _MetricSource(
        rollup_value=daily_deliveries.c.deliveries,
        rollup_filter=(daily_deliveries.c.source == Source.MUSIC.value, daily_deliveries.c.outcome == Outcome.SUCCESS),
        raw_model=Music,
        raw_time=Music.created_at,
        raw_filter=_succeeded,
    ),
}


class SeriesQueries:
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    async def series(self, metric: Metric, span: Span) -> Series:
        source = METRIC_SOURCES[metric]
        first_day = await self._first_day(source) if span is Span.TOTAL else None
        buckets, unit = self._buckets(span, first_day)
        counts = await self._counts_by_bucket(source, unit, buckets[0])
        return Series(metric=metric, span=span, buckets=buckets, values=[counts.get(bucket, 0) for bucket in buckets])

    def _buckets(self, span: Span, first_day: date | None) -> tuple[list[datetime], str]:
        """Every bucket of the span, oldest first, ending with the one that holds `now`."""
        now = self._snapshot.now
        if span is Span.DAILY:
            current = now.replace(minute=0, second=0, microsecond=0)
            return [current - timedelta(hours=back) for back in range(HOURS_IN_DAILY_GRAPH - 1, -1, -1)], "hour"
        today = now.date()
        if span is not Span.TOTAL:
            return [midnight(today - timedelta(days=back)) for back in range(SPAN_DAYS[span] - 1, -1, -1)], "day"
        first = min(first_day or today, today)
        months = []
        cursor, last = date(first.year, first.month, 1), date(today.year, today.month, 1)
        while cursor <= last:
            months.append(midnight(cursor))
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        return months, "month"

    async def _first_day(self, source: _MetricSource) -> date | None:
        session = self._snapshot.session
        rolled = await session.scalar(select(func.min(source.rollup_value.table.c.day)).where(*source.rollup_filter))
        if rolled is not None:
            return as_date(rolled)
        raw = await session.scalar(select(func.min(source.raw_time)).where(*source.raw_filter(source.raw_model)))
        return as_utc(raw).date() if raw is not None else None

    async def _counts_by_bucket(self, source: _MetricSource, unit: str, start: datetime) -> dict[datetime, int]:
        sql, horizon = self._snapshot.sql, self._snapshot.horizon
        hourly = unit == "hour"
        raw_since = start if hourly else max(start, horizon)
        raw_bucket = sql.truncate(unit, source.raw_time).label("bucket")
        parts: list[Select] = [
            select(raw_bucket, func.count().label("n"))
            .where(source.raw_time >= raw_since, *source.raw_filter(source.raw_model))
            .group_by(raw_bucket)
        ]
        if not hourly:
            day = source.rollup_value.table.c.day
            rolled_bucket = sql.truncate(unit, day).label("bucket")
            parts.append(
                select(rolled_bucket, func.sum(source.rollup_value).label("n"))
                .where(day >= start.date(), *source.rollup_filter)
                .group_by(rolled_bucket)
            )
        both = union_all(*parts).subquery()
        rows = await self._snapshot.session.execute(select(both.c.bucket, func.sum(both.c.n)).group_by(both.c.bucket))
        return {as_utc(bucket): int(n) for bucket, n in rows}
