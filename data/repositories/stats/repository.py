"""The stats bot's one door to the database: every public method reads one consistent snapshot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.models import utcnow
from data.repositories.stats.queries import FigureQueries, count_languages
from data.repositories.stats.reliability import ReliabilityQueries
from data.repositories.stats.reports import (
    Audience,
    AudienceFigures,
    ChatReport,
    HistoryRow,
    Metric,
    OtherStats,
    Period,
    PeriodReport,
    QuickStats,
    ReferralReport,
    ReliabilityReport,
    Series,
    Span,
)
from data.repositories.stats.rollups import (
    advance_rollups,
    read_horizon,
    rebuild_rollups,
    refresh_visibility,
    rollup_horizon,
)
from data.repositories.stats.series import SeriesQueries
from data.repositories.stats.sql import NOTHING_ROLLED_UP, Dialect, Snapshot, as_utc, attempts
from data.repositories.stats.tables import boards
from data.repositories.upsert import insert_for

RELIABILITY_PERIODS = (Period.DAY, Period.WEEK)
# Percentiles sort every delivery of a week in memory; the default 4 MB would spill to disk.
ANSWER_WORK_MEM = "64MB"
HISTORY_BATCH = 2000


class StatsRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock
        self._known_horizon = NOTHING_ROLLED_UP
        self._rollups_grew = False
        # One answer at a time: rollups advance between snapshots, never during one (SQLite reads outside
        # an explicit transaction have no snapshot), and the database is asked one big question at a time.
        self._lock = asyncio.Lock()

    async def quick_stats(self) -> QuickStats:
        async with self._snapshot() as snapshot:
            figures = FigureQueries(snapshot)
            return QuickStats(
                all_time=await figures.audience_figures(Period.ALL),
                last_24h=await figures.audience_figures(Period.DAY),
            )

    async def audience_figures(self, period: Period) -> dict[Audience, AudienceFigures]:
        async with self._snapshot() as snapshot:
            return await FigureQueries(snapshot).audience_figures(period)

    async def period_report(self, period: Period) -> PeriodReport:
        async with self._snapshot() as snapshot:
            return await FigureQueries(snapshot).period_report(period)

    async def referrals(self) -> ReferralReport:
        async with self._snapshot() as snapshot:
            return await FigureQueries(snapshot).referrals()

    async def other(self) -> OtherStats:
        async with self._snapshot() as snapshot, asyncio.TaskGroup() as tasks:
            languages = tasks.create_task(self._languages())
            return await FigureQueries(snapshot).other(languages)

    async def _languages(self) -> list[tuple[str | None, int]]:
        async with self._sessions() as session:
            await Dialect.of(session).tune(session, ANSWER_WORK_MEM)
            return await count_languages(session)

    async def reliability(self) -> list[ReliabilityReport]:
        async with self._snapshot() as snapshot:
            queries = ReliabilityQueries(snapshot)
            return [await queries.reliability(period) for period in RELIABILITY_PERIODS]

    async def series(self, metric: Metric, span: Span) -> Series:
        async with self._snapshot() as snapshot:
            return await SeriesQueries(snapshot).series(metric, span)

    async def chat_report(self, chat_id: int) -> ChatReport | None:
        async with self._snapshot() as snapshot:
            return await FigureQueries(snapshot).chat_report(chat_id)

    async def chat_history(self, chat_id: int, limit: int) -> AsyncIterator[list[HistoryRow]]:
        """The chat's latest `limit` delivery attempts, newest first, streamed in batches."""
        raw = attempts(NOTHING_ROLLED_UP)
        statement = (
            select(
                raw.c.created_at,
                raw.c.source,
                raw.c.video_id,
                raw.c.outcome,
                raw.c.error_kind,
                raw.c.is_inline,
                raw.c.bytes,
                raw.c.duration_ms,
            )
            .where(raw.c.chat_id == chat_id)
            .order_by(raw.c.created_at.desc())
            .limit(limit)
            .execution_options(yield_per=HISTORY_BATCH)
        )
        async with self._sessions() as session, session.begin():
            result = await session.stream(statement)
            async for partition in result.partitions():
                yield [_history_row(row) for row in partition]

    async def advance_rollups(self) -> datetime:
        """Roll up the days that closed since the last run, then VACUUM the rollups if they grew (the
        scheduler calls this; an answer that finds a day closed rolls it up itself, without the VACUUM)."""
        async with self._lock:
            horizon = await self._advance_rollups()
        if self._rollups_grew:
            self._rollups_grew = False
            await refresh_visibility(self._sessions)
        return horizon

    async def rebuild_rollups(self) -> datetime:
        """Count every closed day again (after rows were added to days already rolled up)."""
        async with self._lock:
            horizon = rollup_horizon(self._clock())
            await rebuild_rollups(self._sessions, horizon)
            self._known_horizon = horizon
        await refresh_visibility(self._sessions)
        return horizon

    async def board_message(self, chat_id: int, name: str) -> int | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(boards.c.message_id).where(boards.c.chat_id == chat_id, boards.c.name == name)
            )

    async def save_board_message(self, chat_id: int, name: str, message_id: int) -> None:
        async with self._sessions() as session:
            statement = insert_for(session, boards).values(chat_id=chat_id, name=name, message_id=message_id)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[boards.c.chat_id, boards.c.name], set_={"message_id": message_id}
                )
            )
            await session.commit()

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[Snapshot]:
        async with self._lock:
            now = self._clock()
            if self._known_horizon < rollup_horizon(now):
                await self._advance_rollups()
            async with self._sessions() as session:
                sql = Dialect.of(session)
                if sql.is_postgres:
                    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                await sql.tune(session, ANSWER_WORK_MEM)
                yield Snapshot(session=session, sql=sql, now=now, horizon=await read_horizon(session))
                await session.rollback()

    async def _advance_rollups(self) -> datetime:
        self._known_horizon, grew = await advance_rollups(self._sessions, rollup_horizon(self._clock()))
        self._rollups_grew |= grew
        return self._known_horizon


def _history_row(row: tuple) -> HistoryRow:
    created_at, source, video_id, outcome, error_kind, is_inline, size, duration = row
    return HistoryRow(
        created_at=as_utc(created_at),
        source=source,
        video_id=video_id,
        outcome=outcome,
        error_kind=error_kind,
        is_inline=bool(is_inline),
        bytes=size,
        duration_ms=duration,
    )
