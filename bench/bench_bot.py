"""End-to-end benchmark: the real `main.py` process against the fake Telegram and the fake TikTok.

Run from the repository root:  .venv/bin/python -m bench.bench_bot  [--users 50 --links 2 …]

Scenarios (each with a fresh bot process, fresh fakes and a fresh PostgreSQL database):
  distinct  U users each send L links at once, every link a different post (1 MB videos);
  closed    U users each keep one link in flight (the next one goes when the previous is answered);
  popular   links arrive at a steady rate and most of them repeat a few popular posts.
Figures: links per second, latency from the injected update to the `sendVideo` that answers it
(p50/p95/max; cache hits apart), peak RSS and CPU seconds of the bot process, TikTok requests made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from tests.fakes import media
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_types import ApiCall
from tests.fakes.tiktok import FakeTikTok
from tests.plugins.database import ADMIN_DSN, create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
MEGABYTE = 1024 * 1024
ANSWER_TIMEOUT = 180.0
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
POLL = 0.01
FIRST_USER = 10_000
PAGE_HOST = "www.tiktok.com"
ANSWERS = {"sendvideo", "senddocument", "sendmessage", "sendmediagroup", "sendphoto"}


@dataclass(frozen=True)
class Link:
    user: int
    post_id: str


@dataclass
class Outcome:
    sent_at: float
    answered_at: float | None = None
    method: str = ""
    cached: bool = False


@dataclass
class Figures:
    name: str
    description: str
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0
    rss_peak_mb: float = 0.0
    cpu_seconds: float = 0.0
    tiktok_requests: int = 0
    tiktok_pages: int = 0
    fakes_cpu_seconds: float = 0.0
    load_average: float = 0.0
    busiest_second: int = 0
    busiest_second_arriving: int = 0

    def print(self) -> None:
        answered = [outcome for outcome in self.outcomes if outcome.answered_at is not None]
        videos = [outcome for outcome in answered if outcome.method == "sendvideo"]
        hits = [outcome for outcome in videos if outcome.cached]
        misses = [outcome for outcome in videos if not outcome.cached]
        print(f"\n== {self.name}: {self.description}")
        print(
            f"  answered {len(answered)}/{len(self.outcomes)} links in {self.wall:.2f} s: "
            f"{len(answered) / self.wall if self.wall else 0:.1f} links/s "
            f"({len(videos)} videos, {len(answered) - len(videos)} other answers)"
        )
        print(f"  latency update→sendVideo, all:        {_latency(videos)}")
        if hits:
            print(f"  latency update→sendVideo, downloaded: {_latency(misses)}")
            print(f"  latency update→sendVideo, cache hits: {_latency(hits)} ({len(hits)} hits)")
        print(f"  bot process: peak RSS {self.rss_peak_mb:.0f} MB, CPU {self.cpu_seconds:.2f} s "
              f"({self.cpu_seconds / max(len(answered), 1) * 1000:.1f} ms per link)")  # fmt: skip
        print(f"  TikTok requests: {self.tiktok_requests} ({self.tiktok_pages} post pages)")
        print(
            f"  messages in the busiest second at the fake Telegram: {self.busiest_second_arriving} as they began "
            f"to arrive, {self.busiest_second} as their uploads were read"
        )
        print(
            f"  fakes (this process): CPU {self.fakes_cpu_seconds:.2f} s; machine load average {self.load_average:.1f}"
        )


def _latency(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "-"
    values = sorted((outcome.answered_at or 0) - outcome.sent_at for outcome in outcomes)

    def quantile(share: float) -> float:
        return values[min(len(values) - 1, round(share * (len(values) - 1)))]

    return (
        f"first {values[0] * 1000:.0f} ms, p50 {quantile(0.5) * 1000:.0f} ms, p95 {quantile(0.95) * 1000:.0f} ms, "
        f"max {values[-1] * 1000:.0f} ms"
    )


# --- the bot process ---
class BotProcess:
    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss_peak_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


# `--global-rate`: main.py with another bot-wide send limit than Telegram's (to see the bot's own capacity).
_WITH_GLOBAL_RATE = (
    "import sys, misc.telegram.limits as limits; "
    "limits.OutgoingRateLimiter.__init__.__kwdefaults__['most_per_second'] = int(sys.argv[1]); "
    "import main; sys.exit(main.main())"
)


def bot_command(global_rate: int | None) -> list[str]:
    if global_rate is None:
        return [sys.executable, str(ROOT / "main.py")]
    return [sys.executable, "-c", _WITH_GLOBAL_RATE, str(global_rate)]


@contextlib.asynccontextmanager
async def bot_process(env: dict[str, str], log_path: Path, command: list[str]) -> AsyncIterator[BotProcess]:
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdout=log, stderr=log)
    bot = BotProcess(process, log_path)
    try:
        yield bot
    finally:
        await bot.stop()


async def wait_ready(telegram: FakeTelegram, bot: BotProcess) -> None:
    async with asyncio.timeout(READY_TIMEOUT):
        while not telegram.poll_times:
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot exited at start-up; see {bot.log_path}")
            await asyncio.sleep(POLL)


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"ttbot_bench_{uuid.uuid4().hex[:10]}"
    await create_database(name)
    try:
        yield ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await drop_database(name)


# --- one scenario ---
class World:
    """The fakes, the bot process and the bookkeeping of which update got which answer."""

    def __init__(self, telegram: FakeTelegram, tiktok: FakeTikTok, bot: BotProcess) -> None:
        self.telegram = telegram
        self.tiktok = tiktok
        self.bot = bot
        self.outcomes: dict[tuple[int, int], Outcome] = {}
        self._seen_calls = 0

    def send(self, link: Link) -> tuple[int, int]:
        message = self.telegram.send_message(link.user, f"https://www.tiktok.com/@bench/video/{link.post_id}")
        key = (link.user, message["message_id"])
        self.outcomes[key] = Outcome(sent_at=time.monotonic())
        return key

    def collect(self) -> None:
        calls = self.telegram.calls
        for call in calls[self._seen_calls :]:
            self._note(call)
        self._seen_calls = len(calls)

    def _note(self, call: ApiCall) -> None:
        if call.method.lower() not in ANSWERS or call.error is not None:
            return
        reply = call.params.get("reply_parameters") or {}
        outcome = self.outcomes.get((int(call.params.get("chat_id", 0)), int(reply.get("message_id", 0))))
        if outcome is None or outcome.answered_at is not None:
            return
        outcome.answered_at, outcome.method = call.at, call.method.lower()
        outcome.cached = not call.files

    async def answered(self, keys: list[tuple[int, int]] | None = None) -> None:
        wanted = keys if keys is not None else list(self.outcomes)
        async with asyncio.timeout(ANSWER_TIMEOUT):
            while True:
                self.collect()
                if all(self.outcomes[key].answered_at is not None for key in wanted):
                    return
                await asyncio.sleep(POLL)


async def run(
    name: str,
    description: str,
    posts: list[str],
    driver: Callable[[World], Awaitable[None]],
    args: argparse.Namespace,
) -> Figures:
    env_extra = {"MAX_USER_QUEUE_SIZE": str(args.user_queue), "MAX_CONCURRENT_JOBS": str(args.jobs)}
    video_size = int(args.video_mb * MEGABYTE)
    if args.global_rate is not None:
        description += f" [at most {args.global_rate} sends/s bot-wide instead of Telegram's]"
    video = media.mp4_bytes(video_size)
    with tempfile.TemporaryDirectory(prefix="ttbot-bench-") as directory:  # the bot log lives here too
        async with (
            FakeTelegram() as telegram,
            FakeTikTok(Path(directory) / "tiktok", proxies=3) as tiktok,
            fresh_database() as db_url,
        ):
            for post_id in posts:
                tiktok.add_video(post_id, author="bench", video=video)
            env = {
                **os.environ,
                **tiktok.env(),
                "BOT_TOKEN": telegram.token,
                "TG_SERVER": telegram.base_url,
                "DB_URL": db_url,
                "PROXY_FILE": str(tiktok.proxy_file),
                "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                **env_extra,
            }
            async with bot_process(env, Path(directory) / "bot.log", bot_command(args.global_rate)) as bot:
                await wait_ready(telegram, bot)
                world = World(telegram, tiktok, bot)
                cpu_before, fakes_cpu_before = bot.cpu_seconds(), time.process_time()
                tiktok.reset_log()
                started = time.monotonic()
                await driver(world)
                world.collect()
                last = max((o.answered_at or started) for o in world.outcomes.values())
                figures = Figures(name, description, list(world.outcomes.values()))
                figures.wall = last - started
                figures.cpu_seconds = bot.cpu_seconds() - cpu_before
                figures.fakes_cpu_seconds = time.process_time() - fakes_cpu_before
                figures.load_average = os.getloadavg()[0]
                figures.rss_peak_mb = bot.rss_peak_mb()
                figures.tiktok_requests = len(tiktok.requests)
                figures.busiest_second = telegram.max_calls_in_window(ANSWERS)
                figures.busiest_second_arriving = telegram.max_calls_in_window(ANSWERS, moment=attrgetter("arrived_at"))
                figures.tiktok_pages = sum(1 for request in tiktok.requests if request.host == PAGE_HOST)
                if any(outcome.answered_at is None for outcome in figures.outcomes):
                    print(f"  (bot log: {bot.log_path})")
            return figures


def post_ids(count: int, start: int = 0) -> list[str]:
    return [f"7400000{index + start:012d}" for index in range(count)]


async def distinct(args: argparse.Namespace) -> Figures:
    posts = post_ids(args.users * args.links)
    links = [Link(FIRST_USER + index % args.users, post) for index, post in enumerate(posts)]

    async def drive(world: World) -> None:
        for link in links:
            world.send(link)
        await world.answered()

    description = (f"{args.users} users × {args.links} links at once, {len(posts)} distinct posts, "
                   f"{args.video_mb:g} MB videos")  # fmt: skip
    return await run("distinct", description, posts, drive, args)


async def closed(args: argparse.Namespace) -> Figures:
    per_user = args.closed_links
    posts = post_ids(args.users * per_user, start=1_000_000)

    async def user_loop(world: World, user: int, own: list[str]) -> None:
        for post in own:
            await world.answered([world.send(Link(user, post))])

    async def drive(world: World) -> None:
        await asyncio.gather(*(
            user_loop(world, FIRST_USER + index, posts[index * per_user : (index + 1) * per_user])
            for index in range(args.users)
        ))  # fmt: skip

    description = (f"{args.users} concurrent users, each keeping one link in flight, {per_user} links each "
                   f"({len(posts)} distinct posts)")  # fmt: skip
    return await run("closed", description, posts, drive, args)


async def popular(args: argparse.Namespace) -> Figures:
    rng = random.Random(4)
    hot = post_ids(args.popular_posts, start=2_000_000)
    cold = iter(post_ids(args.popular_total, start=3_000_000))
    links = [
        Link(FIRST_USER + index % args.users, rng.choice(hot) if rng.random() < args.popular_share else next(cold))
        for index in range(args.popular_total)
    ]
    posts = sorted({link.post_id for link in links})

    async def drive(world: World) -> None:
        interval = 1.0 / args.popular_rate
        began = time.monotonic()
        for index, link in enumerate(links):
            await asyncio.sleep(max(0.0, began + index * interval - time.monotonic()))
            world.send(link)
        await world.answered()

    description = (
        f"{len(links)} links at {args.popular_rate:g}/s from {args.users} users, "
        f"{args.popular_share:.0%} of them on {len(hot)} popular posts ({len(posts)} posts in all)"
    )
    return await run("popular", description, posts, drive, args)


SCENARIOS = {"distinct": distinct, "closed": closed, "popular": popular}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)}; all when none given")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--links", type=int, default=2, help="links per user at once (distinct)")
    parser.add_argument("--closed-links", type=int, default=3, help="links per user, one at a time (closed)")
    parser.add_argument("--video-mb", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=20, help="MAX_CONCURRENT_JOBS")
    parser.add_argument("--user-queue", type=int, default=3, help="MAX_USER_QUEUE_SIZE")
    parser.add_argument("--popular-total", type=int, default=300)
    parser.add_argument("--popular-posts", type=int, default=5)
    parser.add_argument("--popular-share", type=float, default=0.9)
    parser.add_argument("--popular-rate", type=float, default=15.0, help="links per second (popular)")
    parser.add_argument(
        "--global-rate", type=int, default=None, help="most sends in any second bot-wide (default: Telegram's)"
    )
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


async def main() -> None:
    args = parse_args()
    media.warm_up()
    print(f"tt-bot benchmark on {os.cpu_count()} CPU(s); bot = {ROOT / 'main.py'} as its own process")
    for name in args.scenarios or SCENARIOS:
        figures = await SCENARIOS[name](args)
        figures.print()


if __name__ == "__main__":
    asyncio.run(main())
