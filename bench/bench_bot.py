"""End-to-end benchmark: the real `main.py` process against the fake Telegram and the fake TikTok.

Run from the repository root:  .venv/bin/python -m bench.bench_bot  [--users 50 --links 2 …]

Scenarios (each with a fresh bot process, fresh fakes and a fresh PostgreSQL database):
  distinct  U users each send L links at once, every link a different post (1 MB videos);
  closed    U users each keep one link in flight (the next one goes when the previous is answered);
  popular   links arrive at a steady rate and most of them repeat a few popular posts;
  startup   `import aiogram` alone, a configuration error (no BOT_TOKEN), the bot's start-up and idle memory;
  first     the first video after a start, then later ones (time from the update to sendVideo);
  slideshow the first HEIC slideshow after a start, then a later one (time to the caption message);
  mixed     videos, HEIC slideshows and sound presses at once: the process tree's memory against idle;
  large     U users × one 20 MB video each, at once (memory flat in video size?);
  several   messages with 5 links each: time from the message to all five replies;
  inline    users ask `@bot <link>` at once and choose the result: the loading answer, then the video.
Figures: links per second, latency from the injected update to the `sendVideo` that answers it
(p50/p95/max; cache hits apart), peak RSS and CPU seconds of the bot process, TikTok requests made;
and for every scenario the start-up time, the idle and peak memory of the process tree (bot plus children).
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
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from bench import process_tree
from bench.pictures import heic_slides, video_cover
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
ANSWERS = {"sendvideo", "senddocument", "sendmessage", "sendmediagroup", "sendphoto", "sendaudio"}
SAMPLE_EVERY = 0.05
SLIDES = 12


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
    done_at: float | None = None  # the call that completes it (`World.done_methods`): caption, audio…


@dataclass
class Figures:
    name: str
    description: str
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0
    rss_peak_mb: float = 0.0
    cpu_seconds: float = 0.0
    cpu_system_seconds: float = 0.0
    tiktok_requests: int = 0
    tiktok_pages: int = 0
    fakes_cpu_seconds: float = 0.0
    load_average: float = 0.0
    busiest_second: int = 0
    busiest_second_arriving: int = 0
    startup_seconds: float = 0.0
    tree_idle_mb: float = 0.0
    tree_peak_mb: float = 0.0
    tree_peak_processes: int = 0
    tree_idle_pss_mb: float = 0.0
    tree_peak_pss_mb: float = 0.0
    bot_peak_pss_mb: float = 0.0
    children_peak_pss_mb: float = 0.0
    tree_cpu_seconds: float = 0.0
    api_calls: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

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
              f"({self.cpu_seconds / max(len(answered), 1) * 1000:.1f} ms per link, "
              f"{self.cpu_system_seconds / max(self.cpu_seconds, 1e-9):.0%} of it in the kernel)")  # fmt: skip
        print(f"  TikTok requests: {self.tiktok_requests} ({self.tiktok_pages} post pages)")
        links = max(len(self.outcomes), 1)
        per_link = ", ".join(f"{method} {count / links:.2g}" for method, count in self.api_calls.most_common())
        print(f"  Bot API calls per link (getUpdates apart): {sum(self.api_calls.values()) / links:.2g} ({per_link})")
        print(
            f"  messages in the busiest second at the fake Telegram: {self.busiest_second_arriving} as they began "
            f"to arrive, {self.busiest_second} as their uploads were read"
        )
        print(
            f"  fakes (this process): CPU {self.fakes_cpu_seconds:.2f} s; machine load average {self.load_average:.1f}"
        )
        print(
            f"  process tree (bot + children): start-up {self.startup_seconds:.2f} s to the first getUpdates, "
            f"idle {self.tree_idle_mb:.0f} MB, peak {self.tree_peak_mb:.0f} MB "
            f"(+{self.tree_peak_mb - self.tree_idle_mb:.0f} MB, {self.tree_peak_processes} processes), "
            f"CPU {self.tree_cpu_seconds:.2f} s"
        )
        print(
            f"  process tree, shared pages counted once (PSS): idle {self.tree_idle_pss_mb:.0f} MB, "
            f"peak {self.tree_peak_pss_mb:.0f} MB (+{self.tree_peak_pss_mb - self.tree_idle_pss_mb:.0f} MB); "
            f"peaks apart: bot process {self.bot_peak_pss_mb:.0f} MB, its children {self.children_peak_pss_mb:.0f} MB"
        )
        for note in self.notes:
            print(f"  {note}")


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
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """User and system (kernel: sockets, files) CPU seconds, its waited-for children included."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system, children_user, children_system = (int(value) for value in fields[11:15])
        tick = os.sysconf("SC_CLK_TCK")
        return (user + children_user) / tick, (system + children_system) / tick

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
        self.done_methods = {"sendvideo", "senddocument", "sendaudio"}
        self.notes: list[str] = []
        self._seen_calls = 0

    def send(self, link: Link) -> tuple[int, int]:
        return self.send_text(link.user, f"https://www.tiktok.com/@bench/video/{link.post_id}")

    def send_text(self, user: int, text: str) -> tuple[int, int]:
        message = self.telegram.send_message(user, text)
        key = (user, message["message_id"])
        self.outcomes[key] = Outcome(sent_at=time.monotonic())
        return key

    def press(self, user: int, message: dict, data: str) -> tuple[int, int]:
        """A button press on a bot message; its answer replies to that message."""
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self.outcomes[key] = Outcome(sent_at=time.monotonic())
        self.telegram.press_button(user, message, data)
        return key

    def collect(self) -> None:
        calls = self.telegram.calls
        for call in calls[self._seen_calls :]:
            self._note(call)
        self._seen_calls = len(calls)

    def _note(self, call: ApiCall) -> None:
        method = call.method.lower()
        if method not in ANSWERS | self.done_methods or call.error is not None:
            return
        reply = call.params.get("reply_parameters") or {}
        outcome = self.outcomes.get((int(call.params.get("chat_id", 0)), int(reply.get("message_id", 0))))
        if outcome is None:
            return
        if method in self.done_methods and outcome.done_at is None:
            outcome.done_at = call.at
        if outcome.answered_at is not None or method not in ANSWERS:
            return
        outcome.answered_at, outcome.method = call.at, method
        outcome.cached = not call.files

    async def answered(self, keys: list[tuple[int, int]] | None = None, *, done: bool = False) -> None:
        """Until every key has its first answer (or, with `done`, the call that completes it)."""
        wanted = keys if keys is not None else list(self.outcomes)
        moment = attrgetter("done_at" if done else "answered_at")
        async with asyncio.timeout(ANSWER_TIMEOUT):
            while True:
                self.collect()
                if all(moment(self.outcomes[key]) is not None for key in wanted):
                    return
                await asyncio.sleep(POLL)

    def video_message(self, key: tuple[int, int]) -> dict:
        """The bot's message that answered `key` with a video (for pressing its sound button)."""
        for call in self.telegram.calls_of("sendVideo"):
            reply = call.params.get("reply_parameters") or {}
            if (int(call.params["chat_id"]), int(reply.get("message_id", 0))) == key and call.error is None:
                return call.result
        raise LookupError(f"no video answered {key}")


class TreeSampler:
    """Samples the bot's process tree in the background; `peak` is the largest sum seen."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_mb, self.peak_processes = process_tree.tree_rss_mb(root)
        self.peak_pss_mb = process_tree.tree_pss_mb(root)
        self.peak_bot_pss_mb = process_tree.pss_mb(root)
        self.peak_children_pss_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> float:
        children = [pid for pid in process_tree.descendants(self.root) if pid != self.root]  # one /proc scan
        now = process_tree.rss_mb(self.root) + sum(map(process_tree.rss_mb, children))
        self.peak_mb = max(self.peak_mb, now)
        self.peak_processes = max(self.peak_processes, 1 + len(children))
        bot, children_pss = process_tree.pss_mb(self.root), sum(map(process_tree.pss_mb, children))
        self.peak_pss_mb = max(self.peak_pss_mb, bot + children_pss)
        self.peak_bot_pss_mb = max(self.peak_bot_pss_mb, bot)
        self.peak_children_pss_mb = max(self.peak_children_pss_mb, children_pss)
        return now

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_EVERY)

    def __enter__(self) -> TreeSampler:
        self._task = asyncio.create_task(self._loop())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.sample()


def publish_videos(posts: list[str], video: bytes) -> Callable[[FakeTikTok], None]:
    def publish(tiktok: FakeTikTok) -> None:
        for post_id in posts:
            tiktok.add_video(post_id, author="bench", video=video, cover=video_cover())

    return publish


async def run(
    name: str,
    description: str,
    posts: list[str],
    driver: Callable[[World], Awaitable[None]],
    args: argparse.Namespace,
    publish: Callable[[FakeTikTok], None] | None = None,
    prepare_telegram: Callable[[FakeTelegram], dict[str, str]] | None = None,
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
            (publish or publish_videos(posts, video))(tiktok)
            if prepare_telegram is not None:
                env_extra.update(prepare_telegram(telegram))
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
            launched = time.monotonic()
            async with bot_process(env, Path(directory) / "bot.log", bot_command(args.global_rate)) as bot:
                await wait_ready(telegram, bot)
                startup = telegram.poll_times[0] - launched
                await asyncio.sleep(args.settle)
                world = World(telegram, tiktok, bot)
                cpu_before, fakes_cpu_before = bot.cpu_split(), time.process_time()
                tree_cpu_before = process_tree.tree_cpu_seconds(bot.pid)
                tiktok.reset_log()
                calls_before = len(telegram.calls)
                with TreeSampler(bot.pid) as tree:
                    idle = tree.sample()
                    idle_pss = process_tree.tree_pss_mb(bot.pid)
                    started = time.monotonic()
                    await driver(world)
                    world.collect()
                last = max((max(o.answered_at or started, o.done_at or started) for o in world.outcomes.values()),
                           default=started)  # fmt: skip
                figures = Figures(name, description, list(world.outcomes.values()))
                figures.wall = last - started
                cpu_after = bot.cpu_split()
                figures.cpu_seconds = sum(cpu_after) - sum(cpu_before)
                figures.cpu_system_seconds = cpu_after[1] - cpu_before[1]
                figures.fakes_cpu_seconds = time.process_time() - fakes_cpu_before
                figures.load_average = os.getloadavg()[0]
                figures.rss_peak_mb = bot.rss_peak_mb()
                figures.tiktok_requests = len(tiktok.requests)
                figures.api_calls = Counter(call.method for call in telegram.calls[calls_before:])
                figures.busiest_second = telegram.max_calls_in_window(ANSWERS)
                figures.busiest_second_arriving = telegram.max_calls_in_window(ANSWERS, moment=attrgetter("arrived_at"))
                figures.tiktok_pages = sum(1 for request in tiktok.requests if request.host == PAGE_HOST)
                figures.startup_seconds, figures.tree_idle_mb = startup, idle
                figures.tree_peak_mb, figures.tree_peak_processes = tree.peak_mb, tree.peak_processes
                figures.tree_idle_pss_mb, figures.tree_peak_pss_mb = idle_pss, tree.peak_pss_mb
                figures.bot_peak_pss_mb, figures.children_peak_pss_mb = tree.peak_bot_pss_mb, tree.peak_children_pss_mb
                figures.tree_cpu_seconds = process_tree.tree_cpu_seconds(bot.pid) - tree_cpu_before
                figures.notes = world.notes
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


def publish_slideshows(posts: list[str], also: Callable[[FakeTikTok], None] | None = None):
    def publish(tiktok: FakeTikTok) -> None:
        slides = heic_slides(SLIDES)
        for post_id in posts:
            tiktok.add_slideshow(post_id, images=slides, heic_first=True, author="bench")
        if also is not None:
            also(tiktok)

    return publish


def slideshow_url(post_id: str) -> str:
    return f"https://www.tiktok.com/@bench/photo/{post_id}"


def _seconds(outcome: Outcome) -> float:
    return (outcome.done_at or outcome.answered_at or outcome.sent_at) - outcome.sent_at


async def slideshow(args: argparse.Namespace) -> Figures:
    """The first slideshow after a start pays for whatever image conversion starts lazily; a later one not."""
    posts = post_ids(args.slideshows, start=4_000_000)

    async def drive(world: World) -> None:
        world.done_methods = {"sendmessage"}  # the caption message follows the albums
        for index, post in enumerate(posts):
            # One user each: the same chat would wait for Telegram's per-chat pace between albums.
            key = world.send_text(FIRST_USER + index, slideshow_url(post))
            await world.answered([key], done=True)
            outcome = world.outcomes[key]
            label = "first slideshow after start" if index == 0 else f"slideshow {index + 1}"
            world.notes.append(f"{label}: {SLIDES} HEIC slides to the caption in {_seconds(outcome):.2f} s")

    description = f"{len(posts)} slideshows of {SLIDES} HEIC slides (1080×1440), one after another"
    return await run("slideshow", description, posts, drive, args, publish_slideshows(posts))


async def first(args: argparse.Namespace) -> Figures:
    """The first video after a start pays for whatever starts lazily (TLS contexts, pools, mappers); a later one not."""
    posts = post_ids(3, start=3_500_000)

    async def drive(world: World) -> None:
        for index, post in enumerate(posts):
            key = world.send(Link(FIRST_USER + index, post))
            await world.answered([key])
            label = "first video after start" if index == 0 else f"video {index + 1}"
            world.notes.append(f"{label}: update → sendVideo in {_seconds(world.outcomes[key]) * 1000:.0f} ms")

    return await run("first", f"{len(posts)} videos (1 MB) one after another, each from a new user", posts, drive, args)


async def mixed(args: argparse.Namespace) -> Figures:
    """Videos, HEIC slideshows and sound presses in one burst; the tree's peak against its idle memory."""
    videos = post_ids(args.mixed_videos, start=5_000_000)
    shows = post_ids(args.mixed_slideshows, start=6_000_000)
    video = media.mp4_bytes(int(args.video_mb * MEGABYTE))

    async def drive(world: World) -> None:
        video_keys = [world.send(Link(FIRST_USER + index, post)) for index, post in enumerate(videos)]
        show_keys = [
            world.send_text(FIRST_USER + len(videos) + index, slideshow_url(post)) for index, post in enumerate(shows)
        ]
        await world.answered(video_keys)
        sound_keys = [
            world.press(key[0], world.video_message(key), f"music:{post}")
            for key, post in list(zip(video_keys, videos, strict=True))[: args.mixed_sounds]
        ]
        world.done_methods = {"sendvideo", "senddocument", "sendaudio", "sendmessage"}
        await world.answered(show_keys + sound_keys, done=True)
        for label, keys in (("slideshows", show_keys), ("sounds", sound_keys)):
            times = sorted(_seconds(world.outcomes[key]) for key in keys)
            if times:
                world.notes.append(f"{label}: {len(times)} done, slowest {times[-1]:.2f} s, first {times[0]:.2f} s")

    description = (f"{len(videos)} videos + {len(shows)} HEIC slideshows at once, then "
                   f"{min(args.mixed_sounds, len(videos))} sound presses")  # fmt: skip
    return await run("mixed", description, videos + shows, drive, args,
                     publish_slideshows(shows, publish_videos(videos, video)))  # fmt: skip


async def large(args: argparse.Namespace) -> Figures:
    posts = post_ids(args.large_users, start=7_000_000)
    size = int(args.large_mb * MEGABYTE)

    def publish(tiktok: FakeTikTok) -> None:
        for post_id in posts:
            tiktok.add_large_video(post_id, size=size, author="bench")

    async def drive(world: World) -> None:
        for index, post in enumerate(posts):
            world.send(Link(FIRST_USER + index, post))
        await world.answered()

    description = f"{len(posts)} users × one {args.large_mb:g} MB video each, at once"
    return await run("large", description, posts, drive, args, publish)


async def several(args: argparse.Namespace) -> Figures:
    """One message with five links: the time until the fifth reply (each link its own reply, in order)."""
    rounds = [post_ids(5, start=8_000_000 + index * 10) for index in range(args.several_messages)]

    async def drive(world: World) -> None:
        world.done_methods = {"sendvideo"}
        for index, posts in enumerate(rounds):
            user = FIRST_USER + index
            text = "look at these: " + " ".join(f"https://www.tiktok.com/@bench/video/{post}" for post in posts)
            message = world.telegram.send_message(user, text)
            sent = time.monotonic()
            async with asyncio.timeout(ANSWER_TIMEOUT):
                while True:
                    replies = _videos_replying(world, user, message["message_id"])
                    if len(replies) == len(posts):
                        break
                    await asyncio.sleep(POLL)
            world.outcomes[(user, message["message_id"])] = Outcome(sent, replies[0], "sendvideo", done_at=replies[-1])
            world.notes.append(f"message {index + 1}: first reply {replies[0] - sent:.2f} s, "
                               f"all five {replies[-1] - sent:.2f} s")  # fmt: skip

    description = f"{len(rounds)} messages with 5 links each, one after another"
    return await run("several", description, [post for posts in rounds for post in posts], drive, args)


STORAGE_CHANNEL = -1009990001


async def inline(args: argparse.Namespace) -> Figures:
    """`@bot <link>` in any chat: the loading article at once, then, once chosen, the video uploaded to the
    storage channel and the inline message edited to it. Each user has started the bot before."""
    posts = post_ids(args.inline_users, start=9_000_000)
    users = [FIRST_USER + index for index in range(len(posts))]

    def storage(telegram: FakeTelegram) -> dict[str, str]:
        telegram.add_chat(STORAGE_CHANNEL, "channel", title="storage")
        return {"STORAGE_CHANNEL_ID": str(STORAGE_CHANNEL)}

    async def drive(world: World) -> None:
        telegram, calls = world.telegram, CallIndex(world.telegram)
        for user in users:  # registered, as the bot answers only users who started it
            telegram.send_message(user, "/start")
        await calls.until("sendMessage", "chat_id", users)
        asked: dict[str, tuple[int, str, float]] = {}
        for user, post in zip(users, posts, strict=True):
            query = f"https://www.tiktok.com/@bench/video/{post}"
            asked[telegram.inline_query(user, query)["inline_query"]["id"]] = (user, query, time.monotonic())
        answers = await calls.until("answerInlineQuery", "inline_query_id", asked)
        chosen: dict[str, float] = {}
        for query_id, call in answers.items():
            user, query, asked_at = asked[query_id]
            [result] = call.params["results"]
            update = telegram.chosen_inline_result(user, result["id"], query)
            chosen[update["chosen_inline_result"]["inline_message_id"]] = time.monotonic()
            world.outcomes[(user, 0)] = Outcome(sent_at=asked_at, answered_at=call.at, method="answerinlinequery")
        # The videos go to one storage channel, which Telegram lets a bot post to ~20 times a minute.
        edits = await calls.until("editMessageMedia", "inline_message_id", chosen)
        answered = sorted((call.at - asked[query_id][2]) * 1000 for query_id, call in answers.items())
        videos = sorted((call.at - chosen[message_id]) * 1000 for message_id, call in edits.items())
        world.notes.append(f"inline answer (the loading article): p50 {answered[len(answered) // 2]:.0f} ms, "
                           f"max {answered[-1]:.0f} ms")  # fmt: skip
        world.notes.append(f"chosen → the video in the inline message: p50 {videos[len(videos) // 2]:.0f} ms, "
                           f"max {videos[-1]:.0f} ms ({len(videos)}/{len(chosen)} edited)")  # fmt: skip
        world.notes.append("(every upload goes to the one storage channel: Telegram's ~20 posts a minute per "
                           "channel pace them; the bot's CPU includes each user's /start)")  # fmt: skip

    description = f"{len(posts)} users each ask `@bot <link>` at once and choose the result (1 MB videos)"
    return await run("inline", description, posts, drive, args, prepare_telegram=storage)


class CallIndex:
    """The fake Telegram's successful calls by method and one parameter, read as they come (each call once)."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self._telegram = telegram
        self._seen = 0
        self._found: dict[tuple[str, str, str], ApiCall] = {}

    def _read(self) -> None:
        calls = self._telegram.calls
        for call in calls[self._seen :]:
            if call.error is None:
                for key, value in call.params.items():
                    self._found.setdefault((call.method, key, str(value)), call)
        self._seen = len(calls)

    async def until(self, method: str, key: str, wanted: Iterable[object]) -> dict[str, ApiCall]:
        """The first successful `method` call for each wanted value of its `key` parameter."""
        values = [str(value) for value in wanted]
        async with asyncio.timeout(ANSWER_TIMEOUT):
            while True:
                self._read()
                if all((method, key, value) in self._found for value in values):
                    return {value: self._found[(method, key, value)] for value in values}
                await asyncio.sleep(POLL)


_PEAK_RSS = "import resource, sys; sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"


async def _timed(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, str]:
    """Wall seconds until `command` exits, and what it printed (stdout, then stderr)."""
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), READY_TIMEOUT)
    return time.monotonic() - began, (out + err).decode(errors="replace").strip()


async def startup(args: argparse.Namespace) -> None:
    """The framework alone against the bot's own start, and how soon a configuration error is printed."""
    env = {key: value for key, value in os.environ.items() if key not in {"BOT_TOKEN", "STATS_BOT_TOKEN"}}
    print("\n== startup: `import aiogram` alone, configuration errors, the bot's start-up and idle memory")
    with tempfile.TemporaryDirectory(prefix="ttbot-bench-") as empty:  # no .env file there
        await _timed([sys.executable, str(ROOT / "main.py")], env, empty)  # bytecode compiled, files cached
        for _ in range(args.startup_runs):
            bare, _ = await _timed([sys.executable, "-c", _PEAK_RSS], env, empty)
            wall, printed = await _timed([sys.executable, "-c", "import aiogram; " + _PEAK_RSS], env, empty)
            peak = int(printed) / 1024
            print(f"  python alone {bare:.2f} s; `import aiogram` alone {wall:.2f} s, peak RSS {peak:.0f} MB")
        for script in ("main.py", "stats.py", "maintenance_bot.py"):
            wall, printed = await _timed([sys.executable, str(ROOT / script)], env, empty)
            print(f"  {script} without a token: printed {printed.splitlines()[-1][:60]!r} after {wall:.2f} s")

    async def drive(world: World) -> None:
        rss = process_tree.rss_mb(world.bot.pid)
        world.notes.append(f"bot process alone idle: {rss:.0f} MB RSS")

    for _ in range(args.startup_runs):
        figures = await run("startup", "start and idle", [], drive, args)
        print(f"  bot: start-up {figures.startup_seconds:.2f} s to the first getUpdates, "
              f"idle tree {figures.tree_idle_mb:.0f} MB ({figures.tree_peak_processes} processes); "
              f"{'; '.join(figures.notes)}")  # fmt: skip


def _videos_replying(world: World, chat_id: int, message_id: int) -> list[float]:
    return sorted(
        call.at
        for call in world.telegram.calls_of("sendVideo")
        if call.error is None
        and int(call.params["chat_id"]) == chat_id
        and (call.params.get("reply_parameters") or {}).get("message_id") == message_id
    )


SCENARIOS = {
    "distinct": distinct, "closed": closed, "popular": popular,
    "first": first, "slideshow": slideshow, "mixed": mixed, "large": large, "several": several, "inline": inline,
}  # fmt: skip


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
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between start-up and the first link")
    parser.add_argument("--slideshows", type=int, default=3, help="slideshows one after another (slideshow)")
    parser.add_argument("--mixed-videos", type=int, default=20)
    parser.add_argument("--mixed-slideshows", type=int, default=4)
    parser.add_argument("--mixed-sounds", type=int, default=10)
    parser.add_argument("--large-users", type=int, default=20)
    parser.add_argument("--large-mb", type=float, default=20.0)
    parser.add_argument("--several-messages", type=int, default=3)
    parser.add_argument("--inline-users", type=int, default=20, help="users asking at once (inline)")
    parser.add_argument("--startup-runs", type=int, default=2)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS) - {"startup"}
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


async def main() -> None:
    args = parse_args()
    media.warm_up()
    print(f"tt-bot benchmark on {os.cpu_count()} CPU(s); bot = {ROOT / 'main.py'} as its own process")
    if not args.scenarios or "startup" in args.scenarios:
        await startup(args)
    for name in args.scenarios or SCENARIOS:
        if name != "startup":
            figures = await SCENARIOS[name](args)
            figures.print()


if __name__ == "__main__":
    asyncio.run(main())
