"""Success rate, error kinds and p50/p95 time per delivery over a rolling window of raw rows."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Subquery

from data.models import Outcome
from data.repositories.stats.reports import ReliabilityReport, Source, Timing
from data.repositories.stats.sql import Snapshot, attempts


class ReliabilityQueries:
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._session = snapshot.session

    async def reliability(self, window: timedelta) -> ReliabilityReport:
        raw = attempts(self._snapshot.now - window)
        if self._snapshot.sql.is_postgres:
            outcomes, timings = await self._in_one_pass(raw)
        else:
            outcomes, timings = await self._outcomes(raw), await self._timings_by_offset(raw)
        attempted = succeeded = 0
        errors: dict[str | None, int] = {}
        for outcome, error_kind, n in outcomes:
            attempted += n
            if outcome == Outcome.SUCCESS:
                succeeded += n
            else:
                errors[error_kind] = errors.get(error_kind, 0) + n
        return ReliabilityReport(
            window=window,
            attempts=attempted,
            succeeded=succeeded,
            errors=sorted(errors.items(), key=lambda item: (-item[1], item[0] or "")),
            timings=timings,
        )

    async def _in_one_pass(self, raw: Subquery) -> tuple[list[tuple[str, str | None, int]], dict[Source, Timing]]:
        """One scan of the window: counts per (source, outcome, error kind), and per source (the grouping
        set whose outcome is NULL; stored outcomes never are) the timed successes and their percentiles."""
        timed = and_(raw.c.outcome == Outcome.SUCCESS, raw.c.duration_ms.is_not(None))
        percentiles = func.percentile_disc(postgresql.array([0.5, 0.95])).within_group(raw.c.duration_ms)
        keys = (raw.c.source, raw.c.outcome, raw.c.error_kind)
        statement = select(*keys, func.count(), func.count().filter(timed), percentiles.filter(timed)).group_by(
            func.grouping_sets(tuple_(*keys), tuple_(raw.c.source))
        )
        outcomes, timings = [], {}
        for source, outcome, error_kind, n, timed_n, p in await self._session.execute(statement):
            if outcome is not None:
                outcomes.append((outcome, error_kind, int(n)))
            elif timed_n:
                timings[Source(source)] = Timing(int(timed_n), int(p[0]), int(p[1]))
        return outcomes, timings

    async def _outcomes(self, raw: Subquery) -> Iterable[Any]:
        return await self._session.execute(
            select(raw.c.outcome, raw.c.error_kind, func.count()).group_by(raw.c.outcome, raw.c.error_kind)
        )

    async def _timings_by_offset(self, raw: Subquery) -> dict[Source, Timing]:
        """SQLite has no percentile_disc: count the timed successes, then read the value at each position."""
        timed = (raw.c.outcome == Outcome.SUCCESS, raw.c.duration_ms.is_not(None))
        counts = await self._session.execute(select(raw.c.source, func.count()).where(*timed).group_by(raw.c.source))
        timings = {}
        for source, n in counts:
            p50, p95 = [await self._nth_duration(raw, source, percentile_offset(p, n)) for p in (0.5, 0.95)]
            timings[Source(source)] = Timing(int(n), p50, p95)
        return timings

    async def _nth_duration(self, raw: Subquery, source: str, offset: int) -> int:
        statement = (
            select(raw.c.duration_ms)
            .where(raw.c.source == source, raw.c.outcome == Outcome.SUCCESS, raw.c.duration_ms.is_not(None))
            .order_by(raw.c.duration_ms)
            .offset(offset)
            .limit(1)
        )
        return int(await self._session.scalar(statement) or 0)


def percentile_offset(fraction: float, samples: int) -> int:
    """0-based position of PostgreSQL's percentile_disc: the first value whose cumulative share reaches it."""
    return max(math.ceil(fraction * samples), 1) - 1
