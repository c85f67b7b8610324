"""Benchmark of the stats bot on a big database: every answer and every graph, timed.

    .venv/bin/python -m bench.bench_stats [--users 1000000] [--deliveries 5000000] [--runs 5]

Creates a database of its own on the PostgreSQL server of BENCH_PG_DSN (default: the local test
server), seeds it server-side with generate_series (users over two years, deliveries over one, both
growing linearly, inserted in time order as the bot writes them), times the first rollup, then asks
every question `--runs` times and prints a table; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg

from data.database import create_engine, create_session_factory, upgrade_database
from data.models import utcnow
from data.repositories.stats import Metric, Period, Span, StatsRepository
from stats import texts
from stats.graphs import render_png
from stats.history_csv import write_history

ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
AIM_MS = 300.0

SEED_USERS = """
INSERT INTO users (chat_id, chat_type, registered_at, language, referral, file_mode, blocked, last_seen)
SELECT * FROM (
    SELECT CASE WHEN i % 10 = 0 THEN -1000000000000 - i ELSE 100000000 + i END,
           CASE WHEN i % 10 = 0 THEN (CASE WHEN i % 30 = 0 THEN 'group' ELSE 'supergroup' END) ELSE 'private' END,
           now() - interval '730 days' * (1 - sqrt(random())) AS registered_at,
           (ARRAY['en','ru','uk','id','vi','ar','hi','so'])[1 + floor(power(random(), 2) * 8)::int],
           CASE WHEN random() < 0.2 THEN 'ref' || floor(power(random(), 3) * 200)::int END,
           random() < 0.05, random() < 0.08, now()
    FROM generate_series(1, $1::int) AS i
) AS seeded ORDER BY registered_at
"""
# Deliveries go to existing chats, a few of them very busy (power 2: the busiest gets ~0.1%).
SEED_DELIVERIES = """
INSERT INTO {table} (chat_id, video_id, kind, is_inline, source, outcome, error_kind, bytes, duration_ms, created_at)
SELECT * FROM (
    SELECT CASE WHEN j % 10 = 0 THEN -1000000000000 - j ELSE 100000000 + j END,
           (7000000000000000000 + floor(random() * 1e12))::bigint::text,
           {kind},
           inline,
           CASE WHEN inline THEN 'inline' ELSE 'chat' END,
           CASE WHEN failed THEN 'failed' ELSE 'success' END,
           CASE WHEN failed THEN (ARRAY['deleted','private','network','rate_limited','too_large'])
                [1 + floor(random() * 5)::int] END,
           (100000 + random() * 20000000)::bigint,
           (200 + random() * random() * 8000)::int,
           now() - interval '365 days' * (1 - sqrt(random())) AS created_at
    FROM (
        SELECT 1 + floor(power(random(), 2) * $2::int)::int AS j, random() < 0.06 AS failed, {inline} AS inline
        FROM generate_series(1, $1::int)
    ) AS picks
) AS seeded ORDER BY created_at
"""


@dataclass
class Timing:
    name: str
    runs_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def worst(self) -> float:
        return max(self.runs_ms)


async def timed(runs: int, job: Callable[[], Awaitable[object]]) -> list[float]:
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        await job()
        results.append((time.perf_counter() - started) * 1000)
    return results


async def seed(dsn: str, users: int, deliveries: int) -> dict[str, float]:
    connection = await asyncpg.connect(dsn)
    seconds = {}
    try:
        started = time.perf_counter()
        await connection.execute("SELECT setseed(0.42)")
        await connection.execute(SEED_USERS, users)
        seconds["users"] = time.perf_counter() - started
        videos = deliveries * 4 // 5
        started = time.perf_counter()
        video_kind = "CASE WHEN random() < 0.15 THEN 'slideshow' ELSE 'video' END"
        await connection.execute(
            SEED_DELIVERIES.format(table="videos", kind=video_kind, inline="random() < 0.1"), videos, users
        )
        await connection.execute(
            SEED_DELIVERIES.format(table="music", kind="'music'", inline="false"), deliveries - videos, users
        )
        seconds["deliveries"] = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        seconds["vacuum"] = time.perf_counter() - started
    finally:
        await connection.close()
    return seconds


async def busiest_and_typical_chat(dsn: str) -> tuple[tuple[int, int], tuple[int, int]]:
    connection = await asyncpg.connect(dsn)
    try:
        busiest = await connection.fetchrow(
            "SELECT chat_id, requests FROM stats_chat_activity ORDER BY requests DESC, chat_id LIMIT 1"
        )
        typical = await connection.fetchrow(
            "SELECT chat_id, requests FROM stats_chat_activity ORDER BY abs(requests - 5), chat_id LIMIT 1"
        )
    finally:
        await connection.close()
    return (busiest["chat_id"], busiest["requests"]), (typical["chat_id"], typical["requests"])


def answers(stats: StatsRepository) -> dict[str, Callable[[], Awaitable[object]]]:
    """Each stats answer as the bot composes it: the figures and the text made of them."""

    async def quick() -> str:
        figures = await stats.quick_stats()
        return texts.quick_stats(figures.all_time, figures.last_24h)

    def period(which: Period) -> Callable[[], Awaitable[str]]:
        async def answer() -> str:
            return texts.period_report(await stats.period_report(which))

        return answer

    def board(which: Period) -> Callable[[], Awaitable[str]]:
        async def answer() -> str:
            return texts.board("", await stats.audience_figures(which))

        return answer

    async def referrals() -> str:
        return texts.referrals(await stats.referrals())

    async def other() -> str:
        return texts.other(await stats.other())

    async def reliability() -> str:
        return texts.reliability(await stats.reliability())

    return {
        "quick stats (all time + 24 h)": quick,
        **{f"by period: {item.value}": period(item) for item in Period},
        "referrals top": referrals,
        "other (file mode, languages, top chats)": other,
        "reliability (24 h + 7 d, p50/p95)": reliability,
        "STATS_CHAT board: all time": board(Period.ALL),
        "STATS_CHAT board: 24 h": board(Period.DAY),
    }


async def chat_answers(stats: StatsRepository, chats: dict[str, tuple[int, int]], directory: str):
    jobs = {}
    for label, (chat_id, requests) in chats.items():

        async def report(chat_id: int = chat_id) -> str:
            found = await stats.chat_report(chat_id)
            assert found is not None
            return texts.chat_report(found)

        async def history(chat_id: int = chat_id) -> int:
            return await write_history(stats, chat_id, Path(directory) / f"{chat_id}.csv")

        jobs[f"search: {label} chat ({requests:,} deliveries)"] = report
        jobs[f"history CSV: {label} chat ({requests:,} rows)"] = history
    return jobs


async def graph_timings(stats: StatsRepository, runs: int) -> list[tuple[str, list[float], list[float]]]:
    rows = []
    for metric in Metric:
        for span in Span:
            query_ms, render_ms = [], []
            for _ in range(runs):
                started = time.perf_counter()
                series = await stats.series(metric, span)
                middle = time.perf_counter()
                png = await asyncio.to_thread(render_png, series)
                assert png.startswith(b"\x89PNG")
                query_ms.append((middle - started) * 1000)
                render_ms.append((time.perf_counter() - middle) * 1000)
            rows.append((f"graph: {metric.value} {span.value}", query_ms, render_ms))
    return rows


def print_table(title: str, rows: list[Timing]) -> None:
    print(f"\n{title}")
    width = max(len(row.name) for row in rows)
    print(f"{'':{width}}  {'median ms':>10}  {'worst ms':>9}  aim")
    for row in rows:
        mark = "ok" if row.worst < AIM_MS else "OVER"
        print(f"{row.name:{width}}  {row.median:10.1f}  {row.worst:9.1f}  {mark}")


async def run(users: int, deliveries: int, runs: int, keep: bool) -> None:
    database = f"ttbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{database}"
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=2)
    try:
        server = await admin.fetchval("SHOW server_version")
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"PostgreSQL {server}, {os.cpu_count()} CPUs (load {load}), Python {platform.python_version()}")
        await upgrade_database(engine)
        print(f"seeding {users:,} users and {deliveries:,} deliveries…", flush=True)
        seeded = await seed(dsn, users, deliveries)
        print("seeded in " + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in seeded.items()))

        sessions = create_session_factory(engine)
        started = time.perf_counter()
        stats = StatsRepository(sessions)
        await stats.advance_rollups()
        print(f"first rollup (every closed day, once per database): {time.perf_counter() - started:.1f} s")
        busiest, typical = await busiest_and_typical_chat(dsn)
        answer_rows = [Timing(label, await timed(runs, job)) for label, job in answers(stats).items()]
        with tempfile.TemporaryDirectory() as directory:
            jobs = await chat_answers(stats, {"typical": typical, "busiest": busiest}, directory)
            answer_rows += [Timing(label, await timed(runs, job)) for label, job in jobs.items()]
        print_table(f"Stats answers ({runs} runs each, figures + text, no Telegram)", answer_rows)

        graph_rows = await graph_timings(stats, runs)
        print_table(
            f"Graphs: query + PNG ({runs} runs each)",
            [Timing(name, [q + r for q, r in zip(query, render, strict=True)]) for name, query, render in graph_rows],
        )
        print("\nGraphs split: median query ms / median render ms")
        for graph, query, render in graph_rows:
            print(f"  {graph:28} {statistics.median(query):7.1f} / {statistics.median(render):7.1f}")

        # Last, because it moves the horizon past today's rows: the daily step of a running bot.
        tomorrow = StatsRepository(sessions, clock=lambda: utcnow() + timedelta(days=1))
        started = time.perf_counter()
        await tomorrow.advance_rollups()
        print(f"\ndaily rollup (one more closed day, once a day): {(time.perf_counter() - started) * 1000:.0f} ms")
    finally:
        await engine.dispose()
        if keep:
            print(f"kept database {database}")
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--deliveries", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.users, arguments.deliveries, arguments.runs, arguments.keep))


if __name__ == "__main__":
    started_at = datetime.now()
    main()
    print(f"\nbenchmark took {(datetime.now() - started_at).total_seconds():.0f} s")
