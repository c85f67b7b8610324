"""Bounded resources: a fixed yt-dlp thread pool, capped parallel downloads, warm curl sessions."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig

PAGE_URL = "https://www.tiktok.com/@alice/video/{}"
VIDEO_HOST = "v16-webapp-prime.tiktok.com"


def post_ids(count: int) -> list[str]:
    return [f"73500000000000000{number:02d}" for number in range(count)]


def ytdlp_threads() -> int:
    return sum(thread.name.startswith("yt-dlp") for thread in threading.enumerate())


async def test_ytdlp_runs_in_a_fixed_small_pool(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    ids = post_ids(8)
    for post_id in ids:
        fake_tiktok.add_video(post_id)
    fake_tiktok.page_delay = 0.3  # well under the hedge delay: no extraction gives its place up
    fake_tiktok.reset_log()
    threads_before = ytdlp_threads()

    async with TikTokClient(dataclasses.replace(client_config, ytdlp_workers=2)) as client:
        results = await asyncio.gather(*(client.video(PAGE_URL.format(post_id)) for post_id in ids))
        threads_during = ytdlp_threads() - threads_before

    assert sorted(info.id for info in results) == ids
    assert fake_tiktok.concurrent_page_peak == 2  # two pages read at once, never more
    # Threads beyond the places only stand in for extractions that went silent (see PostExtractor).
    assert 1 <= threads_during <= 4 * 2


async def media_peak(fake: FakeTikTok, config: ClientConfig, cap: int) -> int:
    # Big enough that the downloads overlap on one event loop; they go to temp files.
    ids = post_ids(5)
    for post_id in ids:
        fake.add_large_video(post_id, size=16 * 1024 * 1024)
    fake.reset_log()
    async with TikTokClient(dataclasses.replace(config, max_concurrent_downloads=cap, ytdlp_workers=6)) as client:
        results = await asyncio.gather(*(client.video(PAGE_URL.format(post_id)) for post_id in ids))
    for info in results:
        info.close()
    assert all(info.media.size == 16 * 1024 * 1024 for info in results)  # type: ignore[union-attr]
    return fake.concurrent_media_peak


async def test_parallel_downloads_are_capped(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    assert await media_peak(fake_tiktok, client_config, cap=2) == 2
    assert await media_peak(fake_tiktok, client_config, cap=16) > 2  # what the cap prevents


async def test_curl_sessions_are_reused_across_requests(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    fake_tiktok.add_video(post_ids(1)[0])
    single = fake_tiktok.directory / "one-proxy.txt"
    single.write_text(fake_tiktok.proxies[0].url + "\n")

    async with TikTokClient(dataclasses.replace(client_config, proxy_file=single)) as client:
        for _ in range(4):
            with await client.video(PAGE_URL.format(post_ids(1)[0])):
                pass

    tunnels = [connection.host for connection in fake_tiktok.proxies[0].connections]
    assert len(fake_tiktok.requests_to(VIDEO_HOST)) == 4
    assert tunnels.count(VIDEO_HOST) == 1  # one tunnel, kept alive, for four downloads
    assert tunnels.count("www.tiktok.com") == 4  # yt-dlp: a fresh YoutubeDL per proxy and request
