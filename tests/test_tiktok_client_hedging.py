"""Hedging through the fake TikTok: a proxy that accepts and never answers costs a short deadline, not a
timeout. The same step starts through the next proxy, its answer is kept and the stalled one is given up."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.bot_checks import eventually
from tests.fakes.proxy import ProxyConnection
from tests.fakes.tiktok import FakeTikTok, ProxyMode
from tests.fakes.tiktok_hosts import IMAGE_HOST, VIDEO_BACKUP_HOST, VIDEO_HOST, WEB_HOST
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.hedging import Hedger
from tiktok_api.proxies import Proxy
from tiktok_api.retry import TryAnotherProxy

POST_ID = "7350000000000003001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
CDN_HOSTS = {VIDEO_HOST, VIDEO_BACKUP_HOST, IMAGE_HOST}


@pytest.fixture
def hedged_config(client_config: ClientConfig) -> ClientConfig:
    # A stalled proxy would hold a step for 30 s, longer than the whole call may take: only a hedge helps.
    return dataclasses.replace(
        client_config, connect_timeout=30, read_timeout=30, total_timeout=10, proxy_hedge_after=0.2
    )


def hanging(fake: FakeTikTok, index: int) -> list[ProxyConnection]:
    return [connection for connection in fake.proxies[index].connections if connection.status is None]


def served(fake: FakeTikTok, host: str) -> set[str | None]:
    return {request.proxy for request in fake.requests_to(host) if request.status == 200}


async def test_a_download_stalled_on_one_proxy_comes_through_the_next_and_the_stalled_one_is_given_up(
    fake_tiktok: FakeTikTok, hedged_config: ClientConfig
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    stalled = fake_tiktok.proxies[0]
    stalled.mode, stalled.hang_hosts = ProxyMode.HANG, set(CDN_HOSTS)

    async with TikTokClient(hedged_config) as client:
        with await client.video(PAGE_URL) as info:
            assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]
            assert info.cover  # the cover download was hedged too

        assert served(fake_tiktok, WEB_HOST) == {"proxy0"}
        assert served(fake_tiktok, VIDEO_HOST) | served(fake_tiktok, VIDEO_BACKUP_HOST) == {"proxy1"}
        assert {connection.host for connection in hanging(fake_tiktok, 0)} >= {VIDEO_HOST, IMAGE_HOST}
    # The stalled attempts were cancelled: nothing of them is left once the client closes. (curl_cffi keeps
    # a cancelled stream's tunnel open until its connect timeout or the session's close.)
    await eventually(
        lambda: asyncio.sleep(0, hanging(fake_tiktok, 0)),
        lambda connections: all(connection.given_up for connection in connections),
        timeout=5,
    )


async def test_a_page_stalled_on_one_proxy_comes_through_the_next_which_the_media_then_use(
    fake_tiktok: FakeTikTok, hedged_config: ClientConfig
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_tiktok.proxies[0].mode = ProxyMode.HANG

    async with TikTokClient(hedged_config) as client:
        with await client.video(PAGE_URL) as info:
            assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]

    assert served(fake_tiktok, WEB_HOST) == {"proxy1"}
    assert served(fake_tiktok, VIDEO_HOST) == {"proxy1"}
    assert [connection.host for connection in fake_tiktok.proxies[0].connections] == [WEB_HOST]


async def test_a_burst_through_a_stalled_proxy_is_not_held_up_by_it(
    fake_tiktok: FakeTikTok, hedged_config: ClientConfig
) -> None:
    """Two extraction threads, one hedge at a time, a third of the burst starting on the stalled proxy: the
    stalled fetches hold their threads for the 30 s connect timeout, yet every call ends within its 10 s."""
    posts = [fake_tiktok.add_video(f"73500000000000031{index:02d}") for index in range(12)]
    fake_tiktok.proxies[0].mode = ProxyMode.HANG
    config = dataclasses.replace(hedged_config, ytdlp_workers=2, proxy_hedge_limit=1)

    async def fetched(client: TikTokClient, url: str) -> bytes:
        with await client.video(url) as info:
            return info.media.read_bytes()  # type: ignore[union-attr]

    async with TikTokClient(config) as client:
        received = await asyncio.gather(*(fetched(client, post.url) for post in posts))

    assert received == [post.h264.read() for post in posts]
    assert "proxy0" not in served(fake_tiktok, WEB_HOST)
    assert len(hanging(fake_tiktok, 0)) >= 2  # the burst did start on the stalled proxy


async def test_hedges_in_flight_are_bounded_and_a_win_moves_every_step_silent_on_that_proxy() -> None:
    """With one hedge allowed, a second stalled step waits for its own proxy instead of hedging as well; once
    the hedge wins, the stalled proxy is known and the second step moves off it at once."""
    hedger = Hedger(after=0.01, limit=1)
    stalled, spare_one, spare_two = Proxy("http://stalled:1"), Proxy("http://spare:1"), Proxy("http://spare:2")
    released = asyncio.Event()
    asked: dict[str, list[Proxy]] = {"first": [], "second": []}
    found_stalled: list[Proxy] = []

    def step(name: str):
        async def run(proxy: Proxy) -> str:
            asked[name].append(proxy)
            if proxy == stalled:
                await asyncio.Event().wait()  # accepts and never answers
            await released.wait()
            return f"{name} via {proxy}"

        return run

    def no_failure(proxy: Proxy, failure: TryAnotherProxy) -> None:
        raise AssertionError(f"{proxy} failed: {failure}")

    spares = iter([spare_one, spare_two])
    options = {"spare": lambda busy: next(spares), "on_failure": no_failure, "on_stalled": found_stalled.append}
    first = asyncio.create_task(hedger.run(step("first"), stalled, **options))
    await eventually(lambda: asyncio.sleep(0, asked["first"]), lambda proxies: len(proxies) == 2)
    second = asyncio.create_task(hedger.run(step("second"), stalled, **options))
    await asyncio.sleep(0.1)  # well past the deadline
    assert asked == {"first": [stalled, spare_one], "second": [stalled]}

    released.set()
    assert await first == (spare_one, "first via http://spare:1")
    assert await asyncio.wait_for(second, timeout=5) == (spare_two, "second via http://spare:2")
    assert asked == {"first": [stalled, spare_one], "second": [stalled, spare_two]}
    assert found_stalled == [stalled]  # the second step moved on what the first found
