"""Proxy rotation through the fake TikTok: a broken proxy costs one attempt, a working one is kept."""

from __future__ import annotations

import dataclasses
import logging
import time
from urllib.parse import urlsplit

import pytest

from tests.fakes.tiktok import FakeTikTok, ProxyMode
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.exceptions import TikTokNetworkError
from tiktok_api.models import SlideshowInfo

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
VIDEO_HOSTS = {"v16-webapp-prime.tiktok.com", "v19-webapp-prime.tiktok.com"}
IMAGE_HOST = "p16-sign.tiktokcdn-us.com"


def break_proxy(fake: FakeTikTok, index: int, failure: str) -> None:
    """`failure` is a ProxyMode name, or "403"/"429" for TikTok answering that through the proxy."""
    proxy = fake.proxies[index]
    if failure.isdigit():
        proxy.upstream_status = int(failure)
    else:
        proxy.mode = ProxyMode[failure]


FAILURES = ["REFUSE", "DROP", "CLOSE", "HANG", "BAD_GATEWAY", "403", "429"]


def served_by(fake: FakeTikTok) -> set[str | None]:
    """The proxies of every request TikTok answered successfully."""
    return {request.proxy for request in fake.requests if request.status is not None and request.status < 400}


@pytest.mark.parametrize("failure", FAILURES)
async def test_broken_proxy_during_post_info_rotates_to_the_next(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, failure: str
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    break_proxy(fake_tiktok, 0, failure)

    with await tiktok_client.video(PAGE_URL) as info:
        assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]

    assert served_by(fake_tiktok) == {"proxy1"}
    # It was asked first; a refused connection leaves no trace in the proxy.
    assert bool(fake_tiktok.proxies[0].connections) is (failure != "REFUSE")


@pytest.mark.parametrize("failure", FAILURES)
async def test_broken_proxy_during_short_link_resolution_rotates_to_the_next(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, failure: str
) -> None:
    fake_tiktok.add_video(POST_ID)
    short_url = fake_tiktok.add_short_link("ZMabc123", to=PAGE_URL)
    break_proxy(fake_tiktok, 0, failure)

    with await tiktok_client.video(short_url) as info:
        assert info.id == POST_ID

    assert served_by(fake_tiktok) == {"proxy1"}
    [hop] = [request for request in fake_tiktok.requests_to("vm.tiktok.com") if request.status == 301]
    assert hop.proxy == "proxy1"


@pytest.mark.parametrize("status", [403, 429])
async def test_cdn_refusing_the_download_rotates_without_asking_for_the_page_again(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, status: int
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_tiktok.proxies[0].upstream_status = status
    fake_tiktok.proxies[0].upstream_status_hosts = set(VIDEO_HOSTS)

    with await tiktok_client.video(PAGE_URL) as info:
        assert info.media.read_bytes() == post.h264.read()  # type: ignore[union-attr]

    assert [request.proxy for request in fake_tiktok.requests_to("www.tiktok.com")] == ["proxy0"]
    downloads = [(request.proxy, request.status) for request in fake_tiktok.requests if request.host in VIDEO_HOSTS]
    assert downloads == [("proxy0", status), ("proxy1", 200)]


async def test_the_same_proxy_serves_all_three_parts_when_nothing_fails(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    fake_tiktok.add_video(POST_ID)
    short_url = fake_tiktok.add_short_link("ZMabc123", to=PAGE_URL)

    with await tiktok_client.video(short_url):
        pass

    hosts = {request.host for request in fake_tiktok.requests}
    assert {"vm.tiktok.com", "www.tiktok.com", IMAGE_HOST} <= hosts and hosts & VIDEO_HOSTS
    assert {request.proxy for request in fake_tiktok.requests} == {"proxy0"}


async def test_requests_are_spread_over_the_proxies(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_video(POST_ID)

    for _ in range(3):
        with await tiktok_client.video(PAGE_URL):
            pass

    assert [request.proxy for request in fake_tiktok.requests_to("www.tiktok.com")] == ["proxy0", "proxy1", "proxy2"]


@pytest.mark.parametrize("failure", ["BAD_GATEWAY", "HANG", "DROP", "403"])
async def test_when_every_proxy_fails_the_caller_gets_a_network_error_in_bounded_time(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, failure: str
) -> None:
    fake_tiktok.add_video(POST_ID)
    for index in range(3):
        break_proxy(fake_tiktok, index, failure)
    started = time.monotonic()

    with pytest.raises(TikTokNetworkError):
        await tiktok_client.video(PAGE_URL)

    # Three attempts (VIDEO_INFO_MAX_RETRIES), each bounded by the 1-second connect timeout.
    assert time.monotonic() - started < 3 * 1 + 2
    assert sum(len(proxy.connections) for proxy in fake_tiktok.proxies) == 3


async def test_total_timeout_bounds_a_call_whatever_the_retries(
    fake_tiktok: FakeTikTok, client_config: ClientConfig
) -> None:
    fake_tiktok.add_video(POST_ID)
    for proxy in fake_tiktok.proxies:
        proxy.mode = ProxyMode.HANG
    config = dataclasses.replace(client_config, connect_timeout=5, total_timeout=1)
    started = time.monotonic()

    async with TikTokClient(config) as client:
        with pytest.raises(TikTokNetworkError, match="within 1 s"):
            await client.video(PAGE_URL)

        assert time.monotonic() - started < 2


async def test_a_proxy_that_keeps_failing_is_rested(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_video(POST_ID)
    broken = fake_tiktok.proxies[0]
    broken.mode = ProxyMode.BAD_GATEWAY

    for _ in range(9):
        with await tiktok_client.video(PAGE_URL):
            pass
    asked_while_failing = len(broken.connections)
    for _ in range(6):
        with await tiktok_client.video(PAGE_URL):
            pass

    assert asked_while_failing == 3  # three failures in a row, then it rests
    assert len(broken.connections) == asked_while_failing
    assert tiktok_client.rotation.is_resting(tiktok_client.rotation.proxies[0])


async def test_slideshow_images_retry_one_by_one(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    post = fake_tiktok.add_slideshow(POST_ID)
    fake_tiktok.proxies[0].upstream_status = 403
    fake_tiktok.proxies[0].upstream_status_hosts = {IMAGE_HOST}

    with await tiktok_client.video(PAGE_URL) as info:
        assert isinstance(info, SlideshowInfo) and len(info.images) == len(post.images) == 3

    assert len(fake_tiktok.requests_to("www.tiktok.com")) == 1
    for slide in post.images:
        # The retry takes the image's next URL (its JPEG) through the next proxy.
        paths = [urlsplit(slide.heic_url).path, urlsplit(slide.plain_url).path]
        attempts = [(r.path, r.proxy, r.status) for r in fake_tiktok.requests_to(IMAGE_HOST) if r.path in paths]
        assert attempts == [(paths[0], "proxy0", 403), (paths[1], "proxy1", 200)]


async def test_proxy_credentials_never_reach_the_logs(
    fake_tiktok: FakeTikTok, client_config: ClientConfig, caplog: pytest.LogCaptureFixture
) -> None:
    fake_tiktok.add_video(POST_ID)
    wrong, right = fake_tiktok.proxies[0], fake_tiktok.proxies[1]
    wrong.mode = right.mode = ProxyMode.AUTH
    wrong_url = wrong.url_with_credentials.replace(wrong.password, "not-the-password-" + wrong.password)
    proxy_file = fake_tiktok.directory / "auth-proxies.txt"
    proxy_file.write_text(f"# proxies with credentials\n{wrong_url}\n\n{right.url_with_credentials}  # the good one\n")
    caplog.set_level(logging.DEBUG)

    async with TikTokClient(dataclasses.replace(client_config, proxy_file=proxy_file)) as client:
        with await client.video(PAGE_URL) as info:
            assert info.id == POST_ID
        names = [proxy.name for proxy in client.rotation.proxies]

    assert [connection.status for connection in wrong.connections] == [407]
    assert "407" in caplog.text or "ProxyError" in caplog.text or "TransportError" in caplog.text
    for secret in (wrong.password, right.password, wrong.username, right.username):
        assert secret not in caplog.text
        assert secret not in " ".join(names)


async def test_direct_connection_takes_part_in_the_rotation_when_asked(
    fake_tiktok: FakeTikTok, client_config: ClientConfig
) -> None:
    fake_tiktok.add_video(POST_ID)
    config = dataclasses.replace(client_config, proxy_include_host=True)

    async with TikTokClient(config) as client:
        assert client.rotation.proxies[0].is_direct
        # The direct connection cannot reach the fake (real DNS): the flow moves on to a proxy.
        with await client.video(PAGE_URL) as info:
            assert info.id == POST_ID

    assert served_by(fake_tiktok) == {"proxy0"}


async def test_data_only_sends_media_downloads_direct(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    fake_tiktok.add_video(POST_ID)
    config = dataclasses.replace(client_config, proxy_data_only=True)

    async with TikTokClient(config) as client:
        # The direct connection cannot reach the fake's CDN (real DNS), so the download fails.
        with pytest.raises(TikTokNetworkError):
            await client.video(PAGE_URL)

    assert {request.host for request in fake_tiktok.requests} == {"www.tiktok.com"}
    assert len(fake_tiktok.requests_to("www.tiktok.com")) == 1
