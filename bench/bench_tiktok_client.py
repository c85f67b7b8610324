"""Benchmark of TikTokClient against the fake TikTok (prints figures; not a test).

    .venv/bin/python bench/bench_tiktok_client.py [--links 400] [--concurrency 40] [--big 20] [--big-mb 20]

1. Throughput: `--links` video() calls of 1 MB videos, `--concurrency` at a time: links per second and
   CPU seconds per link of the client process.
2. Memory: `--big` concurrent video() calls of `--big-mb` MB videos: peak RSS of the client process.

The fake TikTok runs in its own process, and each scenario in a fresh client process, so CPU and RSS
are the client's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEGABYTE = 1024 * 1024
SMALL_ID_BASE = 7_350_000_000_000_000_000
BIG_ID_BASE = 7_360_000_000_000_000_000


@dataclass(frozen=True)
class World:
    proxy_file: str
    env: dict[str, str]
    small_ids: list[str]
    big_ids: list[str]


def _serve_fake(connection: Connection, small: int, big: int, big_size: int, proxies: int) -> None:
    from tests.fakes import media
    from tests.fakes.tiktok import FakeTikTok

    async def serve() -> None:
        directory = Path(tempfile.mkdtemp(prefix="bench-fake-tiktok-"))
        async with FakeTikTok(directory, proxies=proxies) as fake:
            small_video = media.mp4_bytes(MEGABYTE)
            small_ids = [str(SMALL_ID_BASE + number) for number in range(small)]
            big_ids = [str(BIG_ID_BASE + number) for number in range(big)]
            for post_id in small_ids:
                fake.add_video(post_id, video=small_video)
            for post_id in big_ids:
                fake.add_large_video(post_id, size=big_size)
            connection.send(World(str(fake.proxy_file), fake.env(), small_ids, big_ids))
            await asyncio.get_running_loop().run_in_executor(None, connection.recv)  # until told to stop

    asyncio.run(serve())


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _throughput(connection: Connection, world: World, concurrency: int, workers: int) -> None:
    os.environ.update(world.env)
    from tiktok_api.client import TikTokClient
    from tiktok_api.config import ClientConfig

    async def run() -> tuple[float, float, int]:
        config = ClientConfig(proxy_file=Path(world.proxy_file), ytdlp_workers=workers)
        async with TikTokClient(config) as client:
            # Warm up: imports, the curl sessions and yt-dlp's handlers.
            for info in await asyncio.gather(*(client.video(_url(post_id)) for post_id in world.small_ids[:6])):
                info.close()
            pending = iter(world.small_ids)
            done = 0

            async def worker() -> None:
                nonlocal done
                for post_id in pending:
                    with await client.video(_url(post_id)) as info:
                        assert info.media.size == MEGABYTE  # type: ignore[union-attr]
                    done += 1

            cpu, started = _cpu_seconds(), time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - started, _cpu_seconds() - cpu, done

    connection.send(asyncio.run(run()))


def _memory(connection: Connection, world: World) -> None:
    os.environ.update(world.env)
    from tiktok_api.client import TikTokClient
    from tiktok_api.config import ClientConfig

    async def run() -> tuple[int, int, int]:
        # The upload limit of a local Bot API server, so that big videos are accepted.
        limit = 2000 * MEGABYTE
        config = ClientConfig(proxy_file=Path(world.proxy_file), max_file_size=limit, total_timeout=300)
        async with TikTokClient(config) as client:
            with await client.video(_url(world.small_ids[0])):
                pass
            baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            results = await asyncio.gather(*(client.video(_url(post_id)) for post_id in world.big_ids))
            sizes = sum(info.media.size for info in results)  # type: ignore[union-attr]
            for info in results:
                info.close()
        return baseline, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sizes

    connection.send(asyncio.run(run()))


def _url(post_id: str) -> str:
    return f"https://www.tiktok.com/@bench/video/{post_id}"


def _in_process(target: object, *arguments: object) -> object:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(sender, *arguments))  # type: ignore[arg-type]
    process.start()
    while not receiver.poll(0.5):
        if not process.is_alive():
            raise RuntimeError(f"{getattr(target, '__name__', target)} failed (exit code {process.exitcode})")
    result = receiver.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=400, help="video() calls in the throughput run")
    parser.add_argument("--concurrency", type=int, default=40, help="video() calls at a time")
    parser.add_argument("--workers", type=int, default=4, help="yt-dlp worker threads (YTDLP_WORKERS)")
    parser.add_argument("--big", type=int, default=20, help="concurrent big videos in the memory run")
    parser.add_argument("--big-mb", type=int, default=20, help="size of each big video, in MB")
    parser.add_argument("--proxies", type=int, default=3)
    arguments = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    control, fake_end = context.Pipe()
    sizes = (arguments.links, arguments.big, arguments.big_mb * MEGABYTE, arguments.proxies)
    fake = context.Process(target=_serve_fake, args=(fake_end, *sizes))
    fake.start()
    world: World = control.recv()
    try:
        print(f"machine: {os.cpu_count()} CPUs; fake TikTok in its own process, {arguments.proxies} proxies")
        wall, cpu, done = _in_process(_throughput, world, arguments.concurrency, arguments.workers)  # type: ignore[misc]
        print(
            f"throughput: {done} links of 1 MB, {arguments.concurrency} at a time, {arguments.workers} yt-dlp "
            f"workers: {done / wall:.1f} links/s, {cpu / done * 1000:.1f} ms CPU per link "
            f"(client process: {cpu:.2f} s CPU in {wall:.2f} s)"
        )
        baseline, peak, total = _in_process(_memory, world)  # type: ignore[misc]
        print(
            f"memory: {len(world.big_ids)} concurrent videos of {arguments.big_mb} MB "
            f"({total / MEGABYTE:.0f} MB in all): "
            f"peak RSS {peak / 1024:.0f} MB (after warm-up {baseline / 1024:.0f} MB)"
        )
    finally:
        control.send("stop")
        fake.join(timeout=30)


if __name__ == "__main__":
    main()
