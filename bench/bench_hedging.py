"""Benchmark of proxy hedging against the fake TikTok (prints figures; not a test).

    .venv/bin/python bench/bench_hedging.py [--burst 20] [--hedge-after 3]

The first proxy of three accepts every connection and never answers. Printed: one video() call that
starts on it with hedging off (it waits for the 10 s connect timeout) and on, then a burst of `--burst`
concurrent calls with hedging on (median and slowest).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.tiktok import FakeTikTok, ProxyMode  # noqa: E402
from tiktok_api.client import TikTokClient  # noqa: E402
from tiktok_api.config import ClientConfig  # noqa: E402

ID_BASE = 7_370_000_000_000_000_000


async def timed_call(client: TikTokClient, post_id: str) -> float:
    started = time.perf_counter()
    with await client.video(f"https://www.tiktok.com/@bench/video/{post_id}"):
        return time.perf_counter() - started


async def one_call(fake: FakeTikTok, hedge_after: float, post_id: str) -> float:
    config = ClientConfig(proxy_file=fake.proxy_file, proxy_hedge_after=hedge_after)
    async with TikTokClient(config) as client:  # a fresh rotation: the call starts on the stalled proxy
        return await timed_call(client, post_id)


async def burst(fake: FakeTikTok, hedge_after: float, size: int) -> list[float]:
    config = ClientConfig(proxy_file=fake.proxy_file, proxy_hedge_after=hedge_after)
    async with TikTokClient(config) as client:
        return sorted(await asyncio.gather(*(timed_call(client, str(ID_BASE + 100 + n)) for n in range(size))))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--hedge-after", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        async with FakeTikTok(Path(directory), proxies=3) as fake:
            os.environ.update(fake.env())
            for number in range(args.burst + 110):
                fake.add_video(str(ID_BASE + number))
            fake.proxies[0].mode = ProxyMode.HANG
            off = await one_call(fake, 0, str(ID_BASE + 1))
            on = await one_call(fake, args.hedge_after, str(ID_BASE + 2))
            print(
                f"one call, first proxy stalled: hedging off {off:.2f} s, on (after {args.hedge_after:g} s) {on:.2f} s"
            )
            times = await burst(fake, args.hedge_after, args.burst)
            print(
                f"burst of {args.burst}, hedging on: median {statistics.median(times):.2f} s, "
                f"slowest {times[-1]:.2f} s, fastest {times[0]:.2f} s"
            )


if __name__ == "__main__":
    asyncio.run(main())
