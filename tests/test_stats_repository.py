"""Stats figures against known rows, on PostgreSQL and on SQLite, with a fixed clock.

Rows older than today's midnight are rolled up on the first question; the rest are read raw. Every
expected number below can be counted by hand from `tests/plugins/stats.py`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.kinds import DeliverySource
from data.models import Video
from data.repositories.stats import (
    Audience,
    AudienceFigures,
    ChatActivity,
    DeliveryTally,
    Metric,
    Period,
    Source,
    Span,
    StatsRepository,
    Timing,
    rollup_horizon,
)
from tests.plugins.stats import FIXED_NOW, Delivery, delivery_row, seed_extraction_failures, seed_known_rows

PRIVATE, GROUP = Audience.PRIVATE, Audience.GROUP


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def seeded(sessions: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> StatsRepository:
    await seed_known_rows(sessions, FIXED_NOW)
    return StatsRepository(sessions, clock=clock or Clock(FIXED_NOW))


async def test_quick_stats_split_users_and_groups_for_all_time_and_24h(stats_sessions) -> None:
    stats = await (await seeded(stats_sessions)).quick_stats()
    assert stats.all_time == {
        PRIVATE: AudienceFigures(registrations=4, videos=4, slideshows=1, sounds=2, active_chats=4),
        GROUP: AudienceFigures(registrations=2, videos=2, slideshows=0, sounds=1, active_chats=2),
    }
    assert stats.last_24h == {
        PRIVATE: AudienceFigures(registrations=1, videos=2, slideshows=0, sounds=1, active_chats=2),
        GROUP: AudienceFigures(registrations=1, videos=1, slideshows=0, sounds=1, active_chats=1),
    }


async def test_week_counts_calendar_days_including_today(stats_sessions) -> None:
    report = await (await seeded(stats_sessions)).period_report(Period.WEEK)
    assert report.since == datetime(2026, 6, 9, tzinfo=UTC)
    assert report.registrations == {PRIVATE: 2, GROUP: 1}
    assert report.active_chats == {PRIVATE: 2, GROUP: 1}
    assert report.deliveries == {
        Source.VIDEO: DeliveryTally(succeeded=4, failed=1, inline=1, bytes=13000),
        Source.SLIDESHOW: DeliveryTally(succeeded=1, failed=1, inline=0, bytes=3000),
        Source.MUSIC: DeliveryTally(succeeded=2, failed=0, inline=0, bytes=300),
    }


async def test_month_and_all_time_reports(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    month = await repository.period_report(Period.MONTH)
    assert month.since == datetime(2026, 5, 17, tzinfo=UTC)
    assert month.registrations == {PRIVATE: 3, GROUP: 2}
    assert month.active_chats == {PRIVATE: 3, GROUP: 2}
    assert month.deliveries[Source.VIDEO] == DeliveryTally(succeeded=5, failed=2, inline=1, bytes=20000)
    assert month.deliveries[Source.MUSIC] == DeliveryTally(succeeded=2, failed=1, inline=0, bytes=300)

    everything = await repository.period_report(Period.ALL)
    assert everything.since is None
    assert everything.registrations == {PRIVATE: 4, GROUP: 2}
    assert everything.active_chats == {PRIVATE: 4, GROUP: 2}
    assert everything.deliveries == {
        Source.VIDEO: DeliveryTally(succeeded=6, failed=2, inline=1, bytes=20500),
        Source.SLIDESHOW: DeliveryTally(succeeded=1, failed=1, inline=0, bytes=3000),
        Source.MUSIC: DeliveryTally(succeeded=3, failed=1, inline=0, bytes=600),
    }


async def test_last_24h_report_is_a_rolling_window(stats_sessions) -> None:
    report = await (await seeded(stats_sessions)).period_report(Period.DAY)
    assert report.since == FIXED_NOW - timedelta(hours=24)
    assert report.deliveries[Source.VIDEO] == DeliveryTally(succeeded=3, failed=1, inline=1, bytes=9000)
    assert report.deliveries[Source.SLIDESHOW] == DeliveryTally(succeeded=0, failed=1, inline=0, bytes=0)


async def test_referrals_top_payloads(stats_sessions) -> None:
    report = await (await seeded(stats_sessions)).referrals()
    assert report.referred == 3
    assert report.top == [("ads", 2), ("friends", 1)]


async def test_other_file_mode_languages_and_top_chats(stats_sessions) -> None:
    other = await (await seeded(stats_sessions)).other()
    assert (other.chats, other.file_mode_chats, other.blocked_chats) == (6, 1, 1)
    assert other.languages == [("en", 3), ("ru", 1), ("uk", 1), (None, 1)]
    # Chat 101 made one request on a rolled-up day and three since: both parts add up.
    assert other.top_chats == [
        ChatActivity(101, "private", 4),
        ChatActivity(-1001, "supergroup", 3),
        ChatActivity(102, "private", 3),
        ChatActivity(104, "private", 2),
        ChatActivity(-1002, "group", 1),
        ChatActivity(103, "private", 1),
    ]


async def test_reliability_success_rate_error_kinds_and_percentiles(stats_sessions) -> None:
    day, week = await (await seeded(stats_sessions)).reliability()
    assert (day.period, week.period) == (Period.DAY, Period.WEEK)
    assert (day.attempts, day.succeeded) == (7, 5)
    assert day.errors == [("deleted", 1), ("network", 1)]
    assert day.timings == {Source.VIDEO: Timing(3, 900, 1200), Source.MUSIC: Timing(2, 400, 600)}
    assert (week.attempts, week.succeeded) == (9, 7)
    assert week.timings == {
        Source.VIDEO: Timing(4, 900, 1500),
        Source.SLIDESHOW: Timing(1, 2500, 2500),
        Source.MUSIC: Timing(2, 400, 600),
    }


async def test_reliability_tells_pages_not_read_from_content_answers(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    await seed_extraction_failures(stats_sessions, FIXED_NOW)

    day, week = await repository.reliability()

    assert (day.attempts, day.succeeded) == (11, 5)
    assert day.errors == [("extraction", 2), ("deleted", 1), ("network", 1), ("private", 1), ("rate_limited", 1)]
    assert (day.pages_unread, day.content_answers) == (2, 2)
    # The week adds a rolled-up day with one more page not read.
    assert (week.attempts, week.succeeded) == (14, 7)
    assert (week.pages_unread, week.content_answers) == (3, 2)


async def test_reliability_counts_deliveries_by_door_and_silent_and_hevc_videos(stats_sessions) -> None:
    day, week = await (await seeded(stats_sessions)).reliability()
    assert day.doors == {DeliverySource.CHAT: 3, DeliverySource.INLINE: 1, DeliverySource.GUEST: 1}
    assert (day.silent, day.hevc) == (1, 1)
    # The week adds a rolled-up day: a silent HEVC video and a slideshow, both through the chat.
    assert week.doors == {DeliverySource.CHAT: 5, DeliverySource.INLINE: 1, DeliverySource.GUEST: 1}
    assert (week.silent, week.hevc) == (2, 2)


async def test_daily_graph_has_24_hourly_buckets_ending_with_the_current_hour(stats_sessions) -> None:
    series = await (await seeded(stats_sessions)).series(Metric.VIDEOS, Span.DAILY)
    assert len(series.buckets) == 24
    assert series.buckets[-1] == datetime(2026, 6, 15, 12, tzinfo=UTC)
    assert series.buckets[0] == datetime(2026, 6, 14, 13, tzinfo=UTC)
    counts = dict(zip(series.buckets, series.values, strict=True))
    assert counts[datetime(2026, 6, 15, 12, tzinfo=UTC)] == 1
    assert counts[datetime(2026, 6, 15, 11, tzinfo=UTC)] == 1
    assert counts[datetime(2026, 6, 15, 7, tzinfo=UTC)] == 1
    assert series.total == 3
    assert series.values.count(0) == 21


async def test_weekly_and_monthly_graphs_have_daily_buckets_with_zeros(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    weekly = await repository.series(Metric.VIDEOS, Span.WEEKLY)
    assert weekly.buckets == [datetime(2026, 6, day, tzinfo=UTC) for day in range(9, 16)]
    assert weekly.values == [0, 0, 0, 1, 1, 0, 3]
    monthly = await repository.series(Metric.VIDEOS, Span.MONTHLY)
    assert len(monthly.values) == 30
    assert monthly.buckets[-1] == datetime(2026, 6, 15, tzinfo=UTC)
    assert monthly.values[monthly.buckets.index(datetime(2026, 5, 26, tzinfo=UTC))] == 1
    assert monthly.total == 6
    registrations = await repository.series(Metric.REGISTRATIONS, Span.WEEKLY)
    assert registrations.values == [0, 0, 0, 1, 0, 0, 2]


async def test_total_graphs_have_monthly_buckets_from_the_first_row(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    may, june = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    videos = await repository.series(Metric.VIDEOS, Span.TOTAL)
    assert (videos.buckets, videos.values) == ([may, june], [2, 5])
    sounds = await repository.series(Metric.SOUNDS, Span.TOTAL)
    assert (sounds.buckets, sounds.values) == ([may, june], [1, 2])
    registrations = await repository.series(Metric.REGISTRATIONS, Span.TOTAL)
    assert (registrations.buckets, registrations.values) == ([may, june], [2, 4])


async def test_graphs_of_an_empty_database_show_zero_buckets(stats_sessions) -> None:
    repository = StatsRepository(stats_sessions, clock=Clock(FIXED_NOW))
    total = await repository.series(Metric.SOUNDS, Span.TOTAL)
    assert (total.buckets, total.values) == ([datetime(2026, 6, 1, tzinfo=UTC)], [0])
    daily = await repository.series(Metric.REGISTRATIONS, Span.DAILY)
    assert daily.values == [0] * 24


async def test_chat_report_and_history(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    report = await repository.chat_report(101)
    assert report is not None and report.record is not None
    assert (report.record.chat_type, report.record.language, report.record.referral) == ("private", "en", "ads")
    assert report.record.file_mode is True
    assert report.record.registered_at == FIXED_NOW - timedelta(hours=1)
    assert report.deliveries == {
        Source.VIDEO: DeliveryTally(succeeded=2, failed=0, inline=1, bytes=3000),
        Source.SLIDESHOW: DeliveryTally(succeeded=1, failed=0, inline=0, bytes=3000),
        Source.MUSIC: DeliveryTally(succeeded=1, failed=0, inline=0, bytes=100),
    }
    assert report.requests == 4
    assert report.first_request == FIXED_NOW - timedelta(days=2)
    assert report.last_request == FIXED_NOW - timedelta(minutes=20)

    batches = [batch async for batch in repository.chat_history(102, limit=100)]
    rows = [row for batch in batches for row in batch]
    assert [(row.source, row.outcome, row.error_kind) for row in rows] == [
        ("video", "failed", "deleted"),
        ("video", "success", None),
        ("music", "failed", "deleted"),
    ]
    assert rows[0].created_at == FIXED_NOW - timedelta(hours=3)


async def test_unknown_chat_has_no_report(stats_sessions) -> None:
    repository = await seeded(stats_sessions)
    assert await repository.chat_report(555) is None


async def test_rollups_advancing_day_by_day_never_count_a_row_twice(stats_sessions) -> None:
    clock = Clock(FIXED_NOW)
    repository = await seeded(stats_sessions, clock)
    before = await repository.period_report(Period.ALL)
    for _ in range(4):
        clock.now += timedelta(days=1)
        assert await repository.period_report(Period.ALL) == before
    assert await repository.advance_rollups() == rollup_horizon(clock.now)


async def test_rows_arriving_after_a_rollup_are_counted_once(stats_sessions) -> None:
    clock = Clock(FIXED_NOW)
    repository = await seeded(stats_sessions, clock)
    await repository.quick_stats()
    async with stats_sessions() as session:
        late = Delivery(-1002, "video", "success", timedelta(0), size=1, duration_ms=1)
        session.add(delivery_row(Video, late, FIXED_NOW, video_id="7999"))
        await session.commit()
    clock.now += timedelta(days=2)
    stats = await repository.quick_stats()
    assert stats.all_time[GROUP].videos == 3
    assert stats.all_time[GROUP].active_chats == 2
    top = [(chat.chat_id, chat.requests) for chat in (await repository.other()).top_chats]
    assert top == [(101, 4), (-1001, 3), (102, 3), (-1002, 2), (104, 2), (103, 1)]


async def test_two_processes_rolling_up_at_once_add_each_day_once(stats_pg_sessions) -> None:
    await seed_known_rows(stats_pg_sessions, FIXED_NOW)
    later = Clock(FIXED_NOW + timedelta(days=3))
    first, second = StatsRepository(stats_pg_sessions, later), StatsRepository(stats_pg_sessions, later)
    await asyncio.gather(first.advance_rollups(), second.advance_rollups())
    stats = await first.quick_stats()
    assert stats.all_time[PRIVATE] == AudienceFigures(registrations=4, videos=4, slideshows=1, sounds=2, active_chats=4)


async def test_rebuilding_rollups_counts_rows_imported_into_closed_days(stats_sessions) -> None:
    repository = StatsRepository(stats_sessions, clock=Clock(FIXED_NOW))
    assert (await repository.quick_stats()).all_time[PRIVATE].videos == 0  # rolls up the empty past
    await seed_known_rows(stats_sessions, FIXED_NOW)
    assert (await repository.quick_stats()).all_time[PRIVATE].videos == 2  # only today's rows: raw
    await repository.rebuild_rollups()
    stats = await repository.quick_stats()
    assert stats.all_time[PRIVATE] == AudienceFigures(registrations=4, videos=4, slideshows=1, sounds=2, active_chats=4)
    assert stats.all_time[GROUP] == AudienceFigures(registrations=2, videos=2, slideshows=0, sounds=1, active_chats=2)
