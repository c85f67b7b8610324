"""Success rate, error kinds and p50/p95 time per delivery for a period.

Counts come from the rollups plus the raw rows since the horizon; the percentiles need every
duration of the period, so they read raw rows, one source at a time (each over its own index).
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ColumnElement, Select

from data.kinds import DeliverySource
from data.models import Music, Outcome, Video
from data.repositories.stats.reports import Period, ReliabilityReport, Source, Timing
from data.repositories.stats.sql import Snapshot, attempts, constant, delivered, door_tally
from data.repositories.stats.tables import daily_deliveries, daily_doors

_DOORS = frozenset(DeliverySource)
# (table, its rows of this source) for every source.
_SOURCE_ROWS = {
    Source.VIDEO: (Video, Video.kind == constant(Source.VIDEO)),
    Source.SLIDESHOW: (Video, Video.kind == constant(Source.SLIDESHOW)),
    Source.MUSIC: (Music, Music.kind == constant(Source.MUSIC)),
}


class ReliabilityQueries:
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._session = snapshot.session

    async def reliability(self, period: Period) -> ReliabilityReport:
        window = self._snapshot.window(period)
        attempted = succeeded = 0
        errors: dict[str | None, int] = {}
        for outcome, error_kind, n in await self._outcomes(period):
            attempted += n
            if outcome == Outcome.SUCCESS:
                succeeded += n
            else:
                kind = error_kind or None
                errors[kind] = errors.get(kind, 0) + n
        since = window.since or window.raw_since
        timings = {}
        for source in Source:
            timing = await self._timing(source, since)
            if timing is not None:
                timings[source] = timing
        doors, silent, hevc = await self._doors(period)
        return ReliabilityReport(
            period=period,
            attempts=attempted,
            succeeded=succeeded,
            errors=sorted(errors.items(), key=lambda item: (-item[1], item[0] or "")),
            timings=timings,
            doors=doors,
            silent=silent,
            hevc=hevc,
        )

    async def _doors(self, period: Period) -> tuple[dict[DeliverySource, int], int, int]:
        """Successful deliveries per door, and how many videos among them were silent or HEVC."""
        window = self._snapshot.window(period)
        raw = attempts(window.raw_since)
        parts: list[Select] = [select(raw.c.door, *door_tally(raw)).where(delivered(raw)).group_by(raw.c.door)]
        if window.uses_rollups:
            table = daily_doors.c
            rolled = select(table.door, table.deliveries, table.silent, table.hevc)
            if window.from_day is not None:
                rolled = rolled.where(table.day >= window.from_day)
            parts.append(rolled)
        both = union_all(*parts).subquery()
        sums = (func.sum(both.c[name]) for name in ("deliveries", "silent", "hevc"))
        rows = (await self._session.execute(select(both.c.door, *sums).group_by(both.c.door))).all()
        doors = {DeliverySource(door): int(n) for door, n, _, _ in rows if door in _DOORS}
        return (
            {door: doors[door] for door in DeliverySource if door in doors},
            sum(int(silent) for _, _, silent, _ in rows),
            sum(int(hevc) for _, _, _, hevc in rows),
        )

    async def _outcomes(self, period: Period) -> list[tuple[str, str, int]]:
        window = self._snapshot.window(period)
        raw = attempts(window.raw_since)
        error_kind = func.coalesce(raw.c.error_kind, constant("")).label("error_kind")
        parts: list[Select] = [
            select(raw.c.outcome, error_kind, func.count().label("n")).group_by(raw.c.outcome, error_kind)
        ]
        if window.uses_rollups:
            table = daily_deliveries.c
            rolled = select(table.outcome, table.error_kind, table.deliveries)
            if window.from_day is not None:
                rolled = rolled.where(table.day >= window.from_day)
            parts.append(rolled)
        both = union_all(*parts).subquery()
        rows = await self._session.execute(
            select(both.c.outcome, both.c.error_kind, func.sum(both.c.n)).group_by(both.c.outcome, both.c.error_kind)
        )
        return [(outcome, error_kind, int(n)) for outcome, error_kind, n in rows]

    async def _timing(self, source: Source, since: datetime) -> Timing | None:
        model, of_source = _SOURCE_ROWS[source]
        timed: tuple[ColumnElement[bool], ...] = (
            model.created_at >= since,
            of_source,
            model.outcome == constant(Outcome.SUCCESS),
            model.duration_ms.is_not(None),
        )
        if self._snapshot.sql.is_postgres:
            percentiles = func.percentile_disc(postgresql.array([0.5, 0.95])).within_group(model.duration_ms)
            samples, values = (await self._session.execute(select(func.count(), percentiles).where(*timed))).one()
            return Timing(int(samples), int(values[0]), int(values[1])) if samples else None
        # SQLite has no percentile_disc: count, then read the value at each position.
        samples = int(await self._session.scalar(select(func.count()).where(*timed)) or 0)
        if not samples:
            return None
        ordered = select(model.duration_ms).where(*timed).order_by(model.duration_ms).limit(1)
        p50, p95 = [
            int(await self._session.scalar(ordered.offset(percentile_offset(fraction, samples))))
            for fraction in (0.5, 0.95)
        ]
        return Timing(samples, p50, p95)


def percentile_offset(fraction: float, samples: int) -> int:
    """0-based position of PostgreSQL's percentile_disc: the first value whose cumulative share reaches it."""
    return max(math.ceil(fraction * samples), 1) - 1
