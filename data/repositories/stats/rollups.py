"""Daily rollups of closed days, so all-time figures never count millions of raw rows.

`stats_rollup_progress` holds the horizon: every day before it is in the rollup tables, every row
from it on is read raw. Advancing adds the whole days between the old and the new horizon in one
transaction, with the progress row locked, so two processes never add a day twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.models import User
from data.repositories.stats.sql import (
    NOTHING_ROLLED_UP,
    Dialect,
    as_utc,
    attempts,
    audience_of_chat,
    audience_of_user,
    constant,
    delivered,
    door_tally,
    midnight,
)
from data.repositories.stats.tables import (
    ROLLUP_TABLES,
    chat_activity,
    daily_deliveries,
    daily_doors,
    daily_registrations,
    last_active_days,
    rollup_progress,
)
from data.repositories.upsert import insert_for

# Deliveries are recorded when they end; one that started before midnight may be committed well
# after it. A day is rolled up only once it has been over for this long.
ROLLUP_LAG = timedelta(hours=2)
# The first rollup groups every row ever recorded by chat; in 4 MB that spills to disk many times.
ROLLUP_WORK_MEM = "256MB"


def rollup_horizon(now: datetime) -> datetime:
    """Start of the UTC day that holds `now - ROLLUP_LAG`: every day before it is closed."""
    return midnight((now - ROLLUP_LAG).date())


async def read_horizon(session: AsyncSession) -> datetime:
    horizon = await session.scalar(select(rollup_progress.c.rolled_up_until))
    return as_utc(horizon) if horizon else NOTHING_ROLLED_UP


async def advance_rollups(sessions: async_sessionmaker[AsyncSession], until: datetime) -> tuple[datetime, bool]:
    """Roll up every closed day before `until`; returns the horizon and whether any day was added."""
    async with sessions() as session, session.begin():
        sql = Dialect.of(session)
        done = await _lock_progress(session, sql)
        if done >= until:
            return done, False
        await _roll_up(session, sql, done, until)
        await session.execute(rollup_progress.update().values(rolled_up_until=until))
    return until, True


async def rebuild_rollups(sessions: async_sessionmaker[AsyncSession], until: datetime) -> None:
    """Forget the rollups and count every closed day again, in one transaction (answers meanwhile read the
    old rollups). For rows written into closed days after the fact, e.g. an import of old history."""
    async with sessions() as session, session.begin():
        sql = Dialect.of(session)
        await _lock_progress(session, sql)
        for table in ROLLUP_TABLES:
            if table is not rollup_progress:
                await session.execute(table.delete())
        await _roll_up(session, sql, NOTHING_ROLLED_UP, until)
        await session.execute(rollup_progress.update().values(rolled_up_until=until))


async def _lock_progress(session: AsyncSession, sql: Dialect) -> datetime:
    """The current horizon, with the progress row locked until the transaction ends."""
    await sql.tune(session, ROLLUP_WORK_MEM)
    await session.execute(
        insert_for(session, rollup_progress)
        .values(id=1, rolled_up_until=NOTHING_ROLLED_UP)
        .on_conflict_do_nothing(index_elements=[rollup_progress.c.id])
    )
    return as_utc(await session.scalar(select(rollup_progress.c.rolled_up_until).with_for_update()))


async def _roll_up(session: AsyncSession, sql: Dialect, since: datetime, until: datetime) -> None:
    """Add the days in [since, until) to the rollups. Both ends are midnights, so these days are new."""
    day = sql.day_of(User.registered_at).label("day")
    audience = audience_of_user().label("audience")
    registrations = (
        select(day, audience, func.count())
        .where(User.registered_at >= since, User.registered_at < until)
        .group_by(day, audience)
    )
    await session.execute(daily_registrations.insert().from_select(["day", "audience", "registrations"], registrations))

    raw = attempts(since, until)
    day = sql.day_of(raw.c.created_at).label("day")
    keys = (
        day,
        raw.c.source,
        audience_of_chat(raw.c.chat_id).label("audience"),
        raw.c.outcome,
        func.coalesce(raw.c.error_kind, constant("")).label("error_kind"),
        raw.c.is_inline,
    )
    deliveries = select(*keys, func.count(), func.coalesce(func.sum(raw.c.bytes), 0)).group_by(*keys)
    columns = ["day", "source", "audience", "outcome", "error_kind", "is_inline", "deliveries", "bytes"]
    await session.execute(daily_deliveries.insert().from_select(columns, deliveries))

    doors = select(day, raw.c.door, *door_tally(raw)).where(delivered(raw)).group_by(day, raw.c.door)
    await session.execute(daily_doors.insert().from_select(["day", "door", "deliveries", "silent", "hevc"], doors))

    per_chat = select(raw.c.chat_id, func.count(), func.max(day)).group_by(raw.c.chat_id)
    upsert = insert_for(session, chat_activity).from_select(["chat_id", "requests", "last_day"], per_chat)
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[chat_activity.c.chat_id],
            set_={
                "requests": chat_activity.c.requests + upsert.excluded.requests,
                "last_day": sql.greatest(chat_activity.c.last_day, upsert.excluded.last_day),
            },
        )
    )
    await _recount_last_active_days(session)


async def _recount_last_active_days(session: AsyncSession) -> None:
    audience = audience_of_chat(chat_activity.c.chat_id).label("audience")
    per_day = select(chat_activity.c.last_day, audience, func.count()).group_by(chat_activity.c.last_day, audience)
    await session.execute(last_active_days.delete())
    await session.execute(last_active_days.insert().from_select(["day", "audience", "chats"], per_day))


async def refresh_visibility(sessions: async_sessionmaker[AsyncSession]) -> None:
    """VACUUM the rollups on PostgreSQL: a day's upserts touch most pages of `stats_chat_activity`, and
    until they are vacuumed its counts cannot be answered from the index alone."""
    async with sessions() as session:
        if not Dialect.of(session).is_postgres:
            return
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        names = ", ".join(table.name for table in ROLLUP_TABLES)
        await connection.exec_driver_sql(f"VACUUM (ANALYZE) {names}")
