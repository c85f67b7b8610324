"""Figures for one answer, asked inside one snapshot: rolled-up days plus the raw rows since the horizon."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from data.models import Outcome, User
from data.repositories.stats.reports import (
    Audience,
    AudienceFigures,
    ChatActivity,
    ChatRecord,
    ChatReport,
    DeliveryTally,
    OtherStats,
    Period,
    PeriodReport,
    ReferralReport,
    Source,
)
from data.repositories.stats.sql import (
    NOTHING_ROLLED_UP,
    Snapshot,
    as_utc,
    attempts,
    audience_of_chat,
    audience_of_user,
)
from data.repositories.stats.tables import chat_activity, daily_deliveries, daily_registrations, last_active_days

TOP_REFERRALS = 15
TOP_CHATS = 10


@dataclass(frozen=True, slots=True)
class _DeliveryCell:
    source: str
    audience: str
    outcome: str
    is_inline: bool
    deliveries: int
    bytes: int


class FigureQueries:
    def __init__(self, snapshot: Snapshot) -> None:
        self._session = snapshot.session
        self._snapshot = snapshot

    # ---- quick stats and periods ----

    async def audience_figures(self, period: Period) -> dict[Audience, AudienceFigures]:
        registrations = await self.registrations(period)
        cells = await self._delivery_cells(period)
        active = await self.active_chats(period)

        def succeeded(source: Source, audience: Audience) -> int:
            return sum(
                cell.deliveries
                for cell in cells
                if cell.source == source and cell.audience == audience and cell.outcome == Outcome.SUCCESS
            )

        return {
            audience: AudienceFigures(
                registrations=registrations[audience],
                videos=succeeded(Source.VIDEO, audience),
                slideshows=succeeded(Source.SLIDESHOW, audience),
                sounds=succeeded(Source.MUSIC, audience),
                active_chats=active[audience],
            )
            for audience in Audience
        }

    async def period_report(self, period: Period) -> PeriodReport:
        cells = await self._delivery_cells(period)
        return PeriodReport(
            period=period,
            since=self._snapshot.window(period).since,
            registrations=await self.registrations(period),
            active_chats=await self.active_chats(period),
            deliveries={source: _tally(cell for cell in cells if cell.source == source) for source in Source},
        )

    async def registrations(self, period: Period) -> dict[Audience, int]:
        window = self._snapshot.window(period)
        audience = audience_of_user().label("audience")
        parts: list[Select] = [
            select(audience, func.count().label("n")).where(User.registered_at >= window.raw_since).group_by(audience)
        ]
        if window.uses_rollups:
            rolled = select(daily_registrations.c.audience, daily_registrations.c.registrations.label("n"))
            if window.from_day is not None:
                rolled = rolled.where(daily_registrations.c.day >= window.from_day)
            parts.append(rolled)
        both = union_all(*parts).subquery()
        rows = await self._session.execute(select(both.c.audience, func.sum(both.c.n)).group_by(both.c.audience))
        return _per_audience(rows)

    async def _delivery_cells(self, period: Period) -> list[_DeliveryCell]:
        window = self._snapshot.window(period)
        raw = attempts(window.raw_since)
        keys = (raw.c.source, audience_of_chat(raw.c.chat_id).label("audience"), raw.c.outcome, raw.c.is_inline)
        parts: list[Select] = [
            select(*keys, func.count().label("n"), func.coalesce(func.sum(raw.c.bytes), 0).label("b")).group_by(*keys)
        ]
        if window.uses_rollups:
            table = daily_deliveries.c
            rolled = select(table.source, table.audience, table.outcome, table.is_inline, table.deliveries, table.bytes)
            if window.from_day is not None:
                rolled = rolled.where(table.day >= window.from_day)
            parts.append(rolled)
        both = union_all(*parts).subquery()
        grouping = (both.c.source, both.c.audience, both.c.outcome, both.c.is_inline)
        rows = await self._session.execute(
            select(*grouping, func.sum(both.c.n), func.sum(both.c.b)).group_by(*grouping)
        )
        return [
            _DeliveryCell(source, audience, outcome, bool(inline), int(n), int(size))
            for source, audience, outcome, inline, n, size in rows
        ]

    async def active_chats(self, period: Period) -> dict[Audience, int]:
        """Chats that asked for anything (videos, slideshows or sounds) in the period. A chat was active
        since day D exactly when its last active day is D or later."""
        window = self._snapshot.window(period)
        raw = attempts(window.raw_since)
        live_chats = select(raw.c.chat_id).distinct().subquery("live_chats")
        if not window.uses_rollups:
            return await self._count_by_audience(live_chats.c.chat_id)
        recent = [] if window.from_day is None else [chat_activity.c.last_day >= window.from_day]
        already_known = exists().where(chat_activity.c.chat_id == live_chats.c.chat_id, *recent)
        new = await self._count_by_audience(live_chats.c.chat_id, [~already_known])
        known = select(last_active_days.c.audience, func.sum(last_active_days.c.chats))
        if window.from_day is not None:
            known = known.where(last_active_days.c.day >= window.from_day)
        rows = await self._session.execute(known.group_by(last_active_days.c.audience))
        known_counts = _per_audience(rows)
        return {audience: known_counts[audience] + new[audience] for audience in Audience}

    async def _count_by_audience(
        self, chat_id: ColumnElement[int], conditions: Sequence[ColumnElement[bool]] = ()
    ) -> dict[Audience, int]:
        statement = select(func.count().filter(chat_id > 0), func.count().filter(chat_id <= 0)).where(*conditions)
        private, group = (await self._session.execute(statement)).one()
        return {Audience.PRIVATE: int(private), Audience.GROUP: int(group)}

    # ---- referrals, other ----

    async def referrals(self, limit: int = TOP_REFERRALS) -> ReferralReport:
        referred = await self._session.scalar(select(func.count()).where(User.referral.is_not(None)))
        count = func.count().label("n")
        rows = await self._session.execute(
            select(User.referral, count)
            .where(User.referral.is_not(None))
            .group_by(User.referral)
            .order_by(count.desc(), User.referral)
            .limit(limit)
        )
        return ReferralReport(referred=int(referred or 0), top=[(payload, int(n)) for payload, n in rows])

    async def other(self, languages: Awaitable[list[tuple[str | None, int]]]) -> OtherStats:
        """`languages` is counted elsewhere meanwhile: it needs no rollup, and a million users take a while."""
        file_mode = await self._session.scalar(select(func.count()).select_from(User).where(User.file_mode))
        blocked = await self._session.scalar(select(func.count()).select_from(User).where(User.blocked))
        return OtherStats(
            chats=sum((await self.registrations(Period.ALL)).values()),
            file_mode_chats=int(file_mode or 0),
            blocked_chats=int(blocked or 0),
            top_chats=await self.top_chats(),
            languages=await languages,
        )

    async def top_chats(self, limit: int = TOP_CHATS) -> list[ChatActivity]:
        """Most requests of all time. Exact: a chat with no request since the horizon can be in the top
        only if it is in the rolled-up top as well (same order, ties broken by chat id)."""
        raw = attempts(self._snapshot.horizon)
        live = select(raw.c.chat_id, func.count().label("n")).group_by(raw.c.chat_id).cte("live")
        rolled_requests = (
            select(chat_activity.c.requests).where(chat_activity.c.chat_id == live.c.chat_id).scalar_subquery()
        )
        rolled_top = (
            select(chat_activity.c.chat_id, chat_activity.c.requests)
            .order_by(chat_activity.c.requests.desc(), chat_activity.c.chat_id)
            .limit(limit)
            .subquery()
        )
        quiet_top = select(rolled_top.c.chat_id, rolled_top.c.requests.label("total")).where(
            ~exists().where(live.c.chat_id == rolled_top.c.chat_id)
        )
        busy = select(live.c.chat_id, (live.c.n + func.coalesce(rolled_requests, 0)).label("total"))
        totals = union_all(busy, quiet_top).subquery("totals")
        top = select(totals).order_by(totals.c.total.desc(), totals.c.chat_id).limit(limit).subquery("top")
        rows = await self._session.execute(
            select(top.c.chat_id, User.chat_type, top.c.total)
            .outerjoin(User, User.chat_id == top.c.chat_id)
            .order_by(top.c.total.desc(), top.c.chat_id)
        )
        return [ChatActivity(chat_id=chat_id, chat_type=kind, requests=int(n)) for chat_id, kind, n in rows]

    # ---- one chat ----

    async def chat_report(self, chat_id: int) -> ChatReport | None:
        user = await self._session.get(User, chat_id)
        raw = attempts(NOTHING_ROLLED_UP)
        rows = await self._session.execute(
            select(
                raw.c.source,
                raw.c.outcome,
                raw.c.is_inline,
                func.count(),
                func.coalesce(func.sum(raw.c.bytes), 0),
                func.min(raw.c.created_at),
                func.max(raw.c.created_at),
            )
            .where(raw.c.chat_id == chat_id)
            .group_by(raw.c.source, raw.c.outcome, raw.c.is_inline)
        )
        rows = list(rows)
        if user is None and not rows:
            return None
        cells = [_DeliveryCell(row[0], "", row[1], bool(row[2]), int(row[3]), int(row[4])) for row in rows]
        return ChatReport(
            chat_id=chat_id,
            record=_record(user) if user else None,
            deliveries={source: _tally(cell for cell in cells if cell.source == source) for source in Source},
            first_request=min((as_utc(row[5]) for row in rows), default=None),
            last_request=max((as_utc(row[6]) for row in rows), default=None),
        )


async def count_languages(session: AsyncSession) -> list[tuple[str | None, int]]:
    count = func.count().label("n")
    rows = await session.execute(
        select(User.language, count).group_by(User.language).order_by(count.desc(), User.language.asc().nulls_last())
    )
    return [(language, int(n)) for language, n in rows]


def _tally(cells: Iterable[_DeliveryCell]) -> DeliveryTally:
    cells = list(cells)
    return DeliveryTally(
        succeeded=sum(cell.deliveries for cell in cells if cell.outcome == Outcome.SUCCESS),
        failed=sum(cell.deliveries for cell in cells if cell.outcome != Outcome.SUCCESS),
        inline=sum(cell.deliveries for cell in cells if cell.is_inline),
        bytes=sum(cell.bytes for cell in cells),
    )


def _record(user: User) -> ChatRecord:
    return ChatRecord(
        chat_type=user.chat_type,
        language=user.language,
        referral=user.referral,
        file_mode=user.file_mode,
        blocked=user.blocked,
        registered_at=as_utc(user.registered_at),
        last_seen=as_utc(user.last_seen) if user.last_seen else None,
    )


def _per_audience(rows: Iterable[tuple[Any, Any]]) -> dict[Audience, int]:
    counts = dict.fromkeys(Audience, 0)
    for audience, n in rows:
        counts[Audience(audience)] += int(n or 0)
    return counts
