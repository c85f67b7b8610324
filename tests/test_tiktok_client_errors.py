"""TikTok's answers about a post reach the caller as the right error type, without needless requests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fakes.tiktok import FakeTikTok
from tiktok_api import exceptions as errors
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.models import VideoInfo

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
CDN_HOSTS = {"v16-webapp-prime.tiktok.com", "v19-webapp-prime.tiktok.com", "p16-sign.tiktokcdn-us.com"}


def page_requests(fake: FakeTikTok) -> list[str | None]:
    """The proxy of each post page request, in order."""
    return [request.proxy for request in fake.requests_to("www.tiktok.com") if "/video/" in request.path]


def cdn_requests(fake: FakeTikTok) -> list[str]:
    return [request.host for request in fake.requests if request.host in CDN_HOSTS]


def files_in(directory: Path | None) -> list[Path]:
    assert directory is not None
    return list(directory.iterdir())


def test_every_error_names_its_kind() -> None:
    kinds = {error.__name__: error.kind for error in errors.TikTokError.__subclasses__()}

    assert kinds == {
        "TikTokInvalidLinkError": "invalid_link",
        "TikTokDeletedError": "deleted",
        "TikTokPrivateError": "private",
        "TikTokRegionError": "region",
        "TikTokLoginRequiredError": "login_required",
        "TikTokRateLimitError": "rate_limited",
        "TikTokNetworkError": "network",
        "TikTokExtractionError": "extraction",
        "TikTokVideoTooLongError": "too_long",
        "TikTokVideoTooLargeError": "too_large",
    }
    # What a site change looks like keeps the kind users are told and rows record.
    assert (errors.TikTokPageUnreadError.kind, errors.TikTokBotCheckError.kind) == ("extraction", "rate_limited")


async def test_10204_is_asked_of_one_other_proxy_before_calling_the_post_deleted(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    fake_tiktok.add_status(POST_ID, 10204)

    with pytest.raises(errors.TikTokDeletedError):
        await tiktok_client.video(PAGE_URL)

    first, second = page_requests(fake_tiktok)
    assert first != second


async def test_10204_with_a_single_proxy_is_deleted_at_once(
    fake_tiktok: FakeTikTok, client_config: ClientConfig
) -> None:
    fake_tiktok.add_status(POST_ID, 10204)
    single = fake_tiktok.directory / "one-proxy.txt"
    single.write_text(fake_tiktok.proxies[0].url + "\n")

    async with TikTokClient(dataclasses.replace(client_config, proxy_file=single)) as client:
        with pytest.raises(errors.TikTokDeletedError):
            await client.video(PAGE_URL)

    assert page_requests(fake_tiktok) == ["proxy0"]


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (10216, errors.TikTokPrivateError),
        (10222, errors.TikTokPrivateError),
        (10231, errors.TikTokRegionError),
        (10101, errors.TikTokExtractionError),
    ],
)
async def test_status_codes_stop_at_once_with_their_error(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, status: int, error_type: type[errors.TikTokError]
) -> None:
    fake_tiktok.add_status(POST_ID, status)

    with pytest.raises(error_type, match=str(status)):
        await tiktok_client.video(PAGE_URL)

    assert len(page_requests(fake_tiktok)) == 1
    assert not cdn_requests(fake_tiktok)


async def test_age_restricted_post_needs_a_login(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_age_restricted(POST_ID)

    with pytest.raises(errors.TikTokLoginRequiredError):
        await tiktok_client.video(PAGE_URL)

    assert len(page_requests(fake_tiktok)) == 1


async def test_login_redirect_needs_a_login(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_login_redirect(POST_ID)

    with pytest.raises(errors.TikTokLoginRequiredError):
        await tiktok_client.video(PAGE_URL)

    assert [request.path for request in fake_tiktok.requests_to("www.tiktok.com")] == [
        f"/@_/video/{POST_ID}",
        "/login",
    ]


async def test_waf_challenge_that_never_passes_is_rate_limiting_after_every_proxy(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    fake_tiktok.add_waf_forever(POST_ID)

    with pytest.raises(errors.TikTokBotCheckError):
        await tiktok_client.video(PAGE_URL)

    # Each attempt: the challenge, then the page again with the solved cookie; one attempt per proxy.
    assert page_requests(fake_tiktok) == ["proxy0", "proxy0", "proxy1", "proxy1", "proxy2", "proxy2"]


async def test_a_redesigned_page_is_unread_not_a_failed_bot_check(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    fake_tiktok.add_video(POST_ID)
    fake_tiktok.site_changed = True

    with pytest.raises(errors.TikTokPageUnreadError, match="Unexpected response from webpage request"):
        await tiktok_client.video(PAGE_URL)

    assert page_requests(fake_tiktok) == ["proxy0", "proxy1", "proxy2"]  # another proxy may see a proper page
    assert cdn_requests(fake_tiktok) == []


async def test_waf_challenge_that_passes_is_solved(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_video(POST_ID, desc="behind the wall")
    fake_tiktok.add_waf_once(POST_ID)

    with await tiktok_client.video(PAGE_URL) as info:
        assert info.description == "behind the wall"


async def test_too_long_video_is_refused_before_download(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    fake_tiktok.add_video(POST_ID, duration=61)

    async with TikTokClient(dataclasses.replace(client_config, max_video_duration=60)) as client:
        with pytest.raises(errors.TikTokVideoTooLongError):
            await client.video(PAGE_URL)

    assert not cdn_requests(fake_tiktok)


async def test_video_at_the_duration_limit_is_fine(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    fake_tiktok.add_video(POST_ID, duration=60)

    async with TikTokClient(dataclasses.replace(client_config, max_video_duration=60)) as client:
        with await client.video(PAGE_URL) as info:
            assert info.duration == 60  # type: ignore[union-attr]


async def test_too_large_video_of_known_size_is_refused_before_download(
    fake_tiktok: FakeTikTok, client_config: ClientConfig
) -> None:
    fake_tiktok.add_large_video(POST_ID, size=2 * 1024 * 1024, data_size_known=True)

    async with TikTokClient(dataclasses.replace(client_config, max_file_size=1024 * 1024)) as client:
        with pytest.raises(errors.TikTokVideoTooLargeError):
            await client.video(PAGE_URL)

    assert not cdn_requests(fake_tiktok)


async def test_too_large_video_of_unknown_size_is_refused_from_its_headers(
    fake_tiktok: FakeTikTok, client_config: ClientConfig
) -> None:
    fake_tiktok.add_large_video(POST_ID, size=2 * 1024 * 1024, data_size_known=False)
    config = dataclasses.replace(client_config, max_file_size=1024 * 1024, memory_threshold=64 * 1024)

    async with TikTokClient(config) as client:
        with pytest.raises(errors.TikTokVideoTooLargeError):
            await client.video(PAGE_URL)

    assert len([host for host in cdn_requests(fake_tiktok) if host.startswith("v1")]) == 1  # no retry
    assert not files_in(config.temp_dir)


async def test_video_exactly_at_the_upload_limit_is_fine(fake_tiktok: FakeTikTok, client_config: ClientConfig) -> None:
    post = fake_tiktok.add_video(POST_ID)
    size = post.h264.size  # type: ignore[union-attr]

    async with TikTokClient(dataclasses.replace(client_config, max_file_size=size)) as client:
        info = await client.video(PAGE_URL)

    assert isinstance(info, VideoInfo) and info.media.size == size


async def test_sound_of_a_slideshow_without_one(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_slideshow(POST_ID, music=fake_tiktok.silent_music())

    with pytest.raises(errors.TikTokExtractionError, match="no sound"):
        await tiktok_client.music(POST_ID)


async def test_sound_of_a_private_post(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_status(POST_ID, 10222)

    with pytest.raises(errors.TikTokPrivateError):
        await tiktok_client.music(POST_ID)


async def test_music_wants_a_post_id(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    with pytest.raises(errors.TikTokInvalidLinkError):
        await tiktok_client.music("../etc/passwd")

    assert not fake_tiktok.hosts_contacted()
