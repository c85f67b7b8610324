"""TLS to TikTok: our downloads look like Chrome 120, and the CA bundle variables are honoured, verified."""

from __future__ import annotations

import certifi
import pytest
from curl_cffi.requests import AsyncSession

from tests.fakes.clienthello import ClientHello
from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.exceptions import TikTokNetworkError
from tiktok_api.trust import CA_BUNDLE_VARIABLES

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
CDN_HOSTS = {"v16-webapp-prime.tiktok.com", "p16-sign.tiktokcdn-us.com", "sf16-ies-music.tiktokcdn.com"}


# Present or not depending on the hello's length (padding) and on session resumption (pre_shared_key).
_VARYING_EXTENSIONS = {21, 41}


def without_grease(values: tuple[int, ...]) -> set[int]:
    # GREASE values (0x?a?a) are random per connection in Chrome.
    return {value for value in values if value & 0x0F0F != 0x0A0A}


def stable_extensions(hello: ClientHello) -> set[int]:
    return without_grease(hello.extensions) - _VARYING_EXTENSIONS


async def chrome120_hello(fake: FakeTikTok) -> ClientHello:
    """What curl_cffi's own chrome120 target sends, for comparison."""
    fake.reset_log()
    async with AsyncSession(impersonate="chrome120", proxy=fake.proxies[2].url, timeout=5) as session:
        await session.get(PAGE_URL)
    [request] = fake.requests
    assert request.tls is not None
    return request.tls


async def test_our_downloads_impersonate_chrome_120(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_video(POST_ID)
    with await tiktok_client.video(PAGE_URL):
        pass
    with await tiktok_client.music(POST_ID):
        pass
    ours = [request for request in fake_tiktok.requests if request.host in CDN_HOSTS]
    reference = await chrome120_hello(fake_tiktok)

    assert {request.host for request in ours} == CDN_HOSTS
    for request in ours:
        assert request.tls is not None and request.tls.grease
        assert request.tls.alpn == ("h2", "http/1.1")
        assert without_grease(request.tls.ciphers) == without_grease(reference.ciphers)
        assert stable_extensions(request.tls) == stable_extensions(reference)
        assert "Chrome/120.0.0.0" in (request.user_agent or "")


@pytest.mark.parametrize("variable", CA_BUNDLE_VARIABLES)
async def test_any_one_ca_bundle_variable_is_enough(
    fake_tiktok: FakeTikTok, client_config: ClientConfig, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    fake_tiktok.add_video(POST_ID)
    for other in CA_BUNDLE_VARIABLES:
        if other != variable:
            monkeypatch.delenv(other, raising=False)

    async with TikTokClient(client_config) as client:
        with await client.video(PAGE_URL) as info:
            assert info.id == POST_ID


async def test_without_the_ca_nothing_is_trusted(
    fake_tiktok: FakeTikTok, client_config: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tiktok.add_video(POST_ID)
    for variable in CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)

    async with TikTokClient(client_config) as client:
        with pytest.raises(TikTokNetworkError):
            await client.video(PAGE_URL)

    # Every proxy tunnelled to TikTok, and every TLS handshake failed before a request was made.
    assert all(proxy.connections for proxy in fake_tiktok.proxies)
    assert not fake_tiktok.requests


async def test_a_wrong_ca_bundle_is_not_trusted(
    fake_tiktok: FakeTikTok, client_config: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tiktok.add_video(POST_ID)
    # Real public roots, none of which signed the fake's certificate.
    for variable in CA_BUNDLE_VARIABLES:
        monkeypatch.setenv(variable, certifi.where())

    async with TikTokClient(client_config) as client:
        with pytest.raises(TikTokNetworkError):
            await client.video(PAGE_URL)

    assert not fake_tiktok.requests
