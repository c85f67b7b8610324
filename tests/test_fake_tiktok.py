"""The fake TikTok works with the real yt-dlp TikTok extractor and the real curl_cffi, unmodified."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import ssl
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import imageio_ffmpeg
import pytest
import yt_dlp
from curl_cffi.requests import AsyncSession
from curl_cffi.requests import exceptions as curl_errors
from yt_dlp.extractor.tiktok import TikTokIE, TikTokVMIE
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.networking.exceptions import ProxyError as YtDlpProxyError
from yt_dlp.utils import DownloadError, ExtractorError

from tests.fakes.tiktok import VIDEO_HOST, Blob, FakeTikTok, Post, ProxyMode

VIDEO_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{VIDEO_ID}"
_UNIVERSAL_DATA = re.compile(
    r'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">(.*?)</script>', re.S
)


def make_ydl(proxy_url: str, **extra: Any) -> yt_dlp.YoutubeDL:
    params = {
        "proxy": proxy_url,
        "compat_opts": {"no-certifi"},
        "quiet": True,
        "no_warnings": True,
        "socket_timeout": 5,
        **extra,
    }
    ydl = yt_dlp.YoutubeDL(params, auto_init=False)
    ydl.add_info_extractor(TikTokIE())
    ydl.add_info_extractor(TikTokVMIE())
    return ydl


async def extract(ydl: yt_dlp.YoutubeDL, url: str) -> dict[str, Any]:
    return await asyncio.to_thread(ydl.extract_info, url, download=False)


async def extraction_error(fake: FakeTikTok, url: str) -> BaseException:
    """The original exception yt-dlp wraps in DownloadError.exc_info[1]."""
    with pytest.raises(DownloadError) as raised:
        await extract(make_ydl(fake.proxies[0].url), url)
    cause = raised.value.exc_info[1]
    assert cause is not None
    return cause


def browser(fake: FakeTikTok, proxy_index: int = 0) -> AsyncSession:
    return AsyncSession(
        impersonate="chrome120", proxy=fake.proxies[proxy_index].url, verify=str(fake.ca_file), timeout=5
    )


async def chain_token_cookie(fake: FakeTikTok, post: Post) -> str:
    """The Cookie header yt-dlp would send to the video CDN after reading the post's page."""
    ydl = make_ydl(fake.proxies[0].url)
    await extract(ydl, post.url)
    return ydl.cookiejar.get_cookie_header(post.h264_urls[0])


def page_item(html: str) -> dict[str, Any]:
    match = _UNIVERSAL_DATA.search(html)
    assert match, "no universal data script"
    detail = json.loads(match.group(1))["__DEFAULT_SCOPE__"]["webapp.video-detail"]
    return detail["itemInfo"]["itemStruct"]


def read(blob: Blob | None) -> bytes:
    assert blob is not None
    return blob.read()


def python_ssl_context(fake: FakeTikTok) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(fake.ca_file))


# --- (1) a video post through yt-dlp ---


async def test_ytdlp_extracts_video_post_with_h264_and_bytevc1_formats(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID, author="alice", desc="hello #fyp", duration=3)
    ydl = make_ydl(fake_tiktok.proxies[1].url)

    info = await extract(ydl, PAGE_URL)

    assert (info["id"], info["uploader"], info["description"], info["duration"]) == (VIDEO_ID, "alice", "hello #fyp", 3)
    assert info["track"] == "original sound - alice"
    codecs = {f["format_id"].rsplit("-", 1)[0]: f["vcodec"] for f in info["formats"]}
    assert codecs["h264_540p_560000"] == "h264"
    assert codecs["bytevc1_720p_720000"] == "h265"
    assert {f["url"] for f in info["formats"]} >= {*post.h264_urls, *post.bytevc1_urls, post.download_url}
    assert post.cover_url in {thumbnail["url"] for thumbnail in info["thumbnails"]}
    cookies = ydl.cookiejar.get_cookie_header(post.h264_urls[0])
    assert "tt_chain_token=" in cookies and "ttwid=" in cookies and "msToken=" in cookies
    [page_request] = fake_tiktok.requests_to("www.tiktok.com")
    assert (page_request.proxy, page_request.path, page_request.status) == ("proxy1", f"/@alice/video/{VIDEO_ID}", 200)


async def test_page_escapes_slashes_and_points_to_distinct_renditions(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID, data_size_known=False)
    cookie = await chain_token_cookie(fake_tiktok, post)

    async with browser(fake_tiktok) as session:
        page = await session.get(PAGE_URL)
        item = page_item(page.text)
        renditions = {
            name: (await session.get(url, headers={"Cookie": cookie})).content
            for name, url in [
                ("play", item["video"]["playAddr"]),
                ("download", item["video"]["downloadAddr"]),
                *((entry["CodecType"], entry["PlayAddr"]["UrlList"][0]) for entry in item["video"]["bitrateInfo"]),
            ]
        }

    json_text = _UNIVERSAL_DATA.findall(page.text)[0]
    assert "\\u002F" in json_text and "https://" not in json_text
    assert all("DataSize" not in entry["PlayAddr"] for entry in item["video"]["bitrateInfo"])
    assert renditions["play"] == renditions["h264"] == read(post.h264)
    assert renditions["bytevc1"] == read(post.bytevc1)
    assert renditions["download"] == read(post.watermarked)
    assert len({renditions["h264"], renditions["bytevc1"], renditions["download"]}) == 3


async def test_ytdlp_downloads_the_h264_rendition_with_its_cookies(fake_tiktok: FakeTikTok, tmp_path: Path) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    ydl = make_ydl(fake_tiktok.proxies[0].url, format="h264_540p_560000-0", outtmpl=str(tmp_path / "%(id)s.%(ext)s"))

    await asyncio.to_thread(ydl.extract_info, PAGE_URL, download=True)

    assert (tmp_path / f"{VIDEO_ID}.mp4").read_bytes() == read(post.h264)
    [cdn_request] = fake_tiktok.requests_to("v16-webapp-prime.tiktok.com")
    assert "tt_chain_token" in cdn_request.cookies


# --- (2) curl_cffi on the CDN, and TLS fingerprints ---


async def test_curl_cffi_gets_exact_video_bytes_only_with_chain_token(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    cookie = await chain_token_cookie(fake_tiktok, post)

    async with browser(fake_tiktok) as session:
        with_cookie = await session.get(post.h264_urls[0], headers={"Cookie": cookie})
    async with browser(fake_tiktok) as session:
        without_cookie = await session.get(post.h264_urls[0])

    assert with_cookie.status_code == 200
    assert with_cookie.content == read(post.h264)
    assert without_cookie.status_code == 403


async def test_curl_cffi_trusts_the_ca_through_environment(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)

    async with AsyncSession(impersonate="chrome120", proxy=fake_tiktok.proxies[0].url, timeout=5) as session:
        response = await session.get(PAGE_URL)

    assert response.status_code == 200
    assert "tt_chain_token" in response.cookies


async def test_clienthello_shows_grease_for_chrome120_but_not_python_ssl(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)

    async with browser(fake_tiktok) as session:
        await session.get(PAGE_URL)
    async with (
        aiohttp.ClientSession() as plain,
        plain.get(PAGE_URL, proxy=fake_tiktok.proxies[0].url, ssl=python_ssl_context(fake_tiktok)) as response,
    ):
        await response.read()

    chrome, python = (request.tls for request in fake_tiktok.requests_to("www.tiktok.com"))
    assert chrome is not None and python is not None
    assert chrome.grease and not python.grease
    assert chrome.sni == python.sni == "www.tiktok.com"
    assert chrome.alpn == ("h2", "http/1.1")
    assert chrome.ja3_hash != python.ja3_hash
    assert re.fullmatch(r"771,[\d-]+,[\d-]+,[\d-]+,[\d-]*", chrome.ja3)
    [connect, _] = fake_tiktok.proxies[0].connections
    assert connect.tls == chrome


# --- (3) what yt-dlp says about unavailable posts ---


@pytest.mark.parametrize(
    ("status_code", "message"),
    [
        (10204, "Your IP address is blocked from accessing this post"),
        (10216, "You do not have permission to view this post"),
        (10222, "You do not have permission to view this post"),
        (10231, "Video not available, status code 10231"),
    ],
)
async def test_status_codes_surface_as_ytdlp_messages(fake_tiktok: FakeTikTok, status_code: int, message: str) -> None:
    fake_tiktok.add_status(VIDEO_ID, status_code)

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert isinstance(error, ExtractorError)
    assert message in str(error)


async def test_unknown_post_answers_like_a_deleted_one(fake_tiktok: FakeTikTok) -> None:
    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert "Your IP address is blocked from accessing this post" in str(error)


async def test_login_redirect_surfaces_as_login_required(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_login_redirect(VIDEO_ID)

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert isinstance(error, ExtractorError)
    assert "TikTok is requiring login for access to this content" in str(error)
    assert [request.path for request in fake_tiktok.requests_to("www.tiktok.com")] == [
        f"/@alice/video/{VIDEO_ID}",
        "/login",
    ]


async def test_age_restricted_post_surfaces_as_login_required(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_age_restricted(VIDEO_ID)

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert isinstance(error, ExtractorError)
    assert "This post may not be comfortable for some audiences. Log in for access" in str(error)


async def test_ytdlp_solves_the_waf_challenge_once(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID, desc="behind the wall")
    fake_tiktok.add_waf_once(VIDEO_ID)

    info = await extract(make_ydl(fake_tiktok.proxies[0].url), PAGE_URL)

    assert info["description"] == "behind the wall"
    challenge, solved = fake_tiktok.requests_to("www.tiktok.com")
    assert "_wafchallengeid" not in challenge.cookies
    assert "_wafchallengeid" in solved.headers["Cookie"]


async def test_waf_challenge_forever_never_passes(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_waf_forever(VIDEO_ID)

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert "Unable to extract universal data for rehydration" in str(error)
    assert len(fake_tiktok.requests_to("www.tiktok.com")) == 2  # the challenge, then again with the answer


async def test_unsolved_waf_page_has_no_post_data(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_waf_once(VIDEO_ID)

    async with browser(fake_tiktok) as session:
        page = await session.get(PAGE_URL)

    assert "Please wait..." in page.text and 'id="cs"' in page.text and 'id="wci"' in page.text
    assert "__UNIVERSAL_DATA_FOR_REHYDRATION__" not in page.text


# --- (4) short links ---


@pytest.mark.parametrize("host", ["vm.tiktok.com", "vt.tiktok.com", "www.tiktok.com"])
async def test_ytdlp_follows_short_links(fake_tiktok: FakeTikTok, host: str) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    short_url = fake_tiktok.add_short_link("ZMabc123", to=f"{PAGE_URL}?_r=1&_t=ZM-8", host=host)

    info = await extract(make_ydl(fake_tiktok.proxies[0].url), short_url)

    assert info["id"] == VIDEO_ID
    [head] = [request for request in fake_tiktok.requests if request.method == "HEAD"][:1]
    assert (head.host, head.status, head.user_agent) == (host, 301, "facebookexternalhit/1.1")


async def test_mobile_share_link_redirects_to_the_web_page(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)

    async with browser(fake_tiktok) as session:
        response = await session.get(f"https://m.tiktok.com/v/{VIDEO_ID}.html")

    assert response.status_code == 200
    assert response.url == f"https://www.tiktok.com/@/video/{VIDEO_ID}"
    assert page_item(response.text)["id"] == VIDEO_ID


async def test_short_link_to_photo_page_leaves_the_video_extractor(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_slideshow(VIDEO_ID)
    short_url = fake_tiktok.add_short_link("ZMphoto1", to=post.photo_url)

    with pytest.raises(DownloadError) as raised:
        await extract(make_ydl(fake_tiktok.proxies[0].url), short_url)

    # With only the TikTok extractors loaded, yt-dlp has nothing for /photo/ URLs (a full YoutubeDL
    # hands them to the generic extractor, which calls them "Unsupported URL").
    assert f"No suitable extractor found for URL {post.photo_url}" in str(raised.value)


async def test_short_link_loop_fails(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_short_link("loop1", to="https://vm.tiktok.com/loop2/")
    loop_url = fake_tiktok.add_short_link("loop2", to="https://vm.tiktok.com/loop1/")

    error = await extraction_error(fake_tiktok, loop_url)

    assert isinstance(error, HTTPError) and error.status == 301
    assert "redirect loop" in str(error)
    assert fake_tiktok.hosts_contacted() == {"vm.tiktok.com"}


async def test_short_link_to_foreign_host_stops_at_the_proxy(fake_tiktok: FakeTikTok) -> None:
    evil_url = fake_tiktok.add_short_link("evil", to="https://evil.example/x")

    error = await extraction_error(fake_tiktok, evil_url)

    assert isinstance(error, YtDlpProxyError)
    refused = [c for c in fake_tiktok.proxies[0].connections if c.host == "evil.example"]
    assert refused and all(c.status == 403 and not c.allowed for c in refused)
    assert "evil.example" in fake_tiktok.hosts_contacted()
    assert all(request.host != "evil.example" for request in fake_tiktok.requests)


# --- (5) proxy modes as curl_cffi sees them ---


@pytest.mark.parametrize(
    ("mode", "error_type", "detail"),
    [
        (ProxyMode.REFUSE, curl_errors.ConnectionError, "Could not connect"),
        (ProxyMode.DROP, curl_errors.SSLError, "SSL"),
        (ProxyMode.CLOSE, curl_errors.ProxyError, "CONNECT aborted"),
        (ProxyMode.HANG, curl_errors.Timeout, "timed out"),
        (ProxyMode.BAD_GATEWAY, curl_errors.ConnectionError, "502"),
        (ProxyMode.AUTH, curl_errors.ConnectionError, "407"),
    ],
)
async def test_proxy_modes_as_seen_by_curl_cffi(
    fake_tiktok: FakeTikTok, mode: ProxyMode, error_type: type[Exception], detail: str
) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    fake_tiktok.proxies[2].mode = mode

    async with AsyncSession(impersonate="chrome120", proxy=fake_tiktok.proxies[2].url, timeout=0.5) as session:
        with pytest.raises(error_type, match=detail):
            await session.get(PAGE_URL)

    assert not fake_tiktok.requests


async def test_auth_proxy_tunnels_with_its_credentials(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    proxy = fake_tiktok.proxies[0]
    proxy.mode = ProxyMode.AUTH

    async with AsyncSession(impersonate="chrome120", proxy=proxy.url_with_credentials, timeout=5) as session:
        response = await session.get(PAGE_URL)

    assert response.status_code == 200
    assert proxy.password not in json.dumps([request.headers for request in fake_tiktok.requests])


async def test_refusing_proxy_serves_again_when_back_to_ok(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    proxy = fake_tiktok.proxies[0]
    proxy.mode = ProxyMode.REFUSE
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", proxy.port)

    proxy.mode = ProxyMode.OK
    async with browser(fake_tiktok) as session:
        response = await session.get(PAGE_URL)

    assert response.status_code == 200


@pytest.mark.parametrize("status", [403, 429])
async def test_upstream_status_applies_to_requests_through_that_proxy(fake_tiktok: FakeTikTok, status: int) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    fake_tiktok.proxies[1].upstream_status = status

    async with browser(fake_tiktok, proxy_index=1) as blocked, browser(fake_tiktok, proxy_index=0) as fine:
        blocked_page = await blocked.get(PAGE_URL)
        blocked_cover = await blocked.get(str(post.cover_url))
        fine_page = await fine.get(PAGE_URL)

    assert (blocked_page.status_code, blocked_cover.status_code, fine_page.status_code) == (status, status, 200)


async def test_upstream_status_can_be_limited_to_some_hosts(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    proxy = fake_tiktok.proxies[0]
    proxy.upstream_status, proxy.upstream_status_hosts = 403, {VIDEO_HOST}

    async with browser(fake_tiktok) as session:
        page = await session.get(PAGE_URL)
        video = await session.get(post.h264_urls[0])
        backup = await session.get(post.h264_urls[1])

    assert (page.status_code, video.status_code, backup.status_code) == (200, 403, 200)
    assert read(post.h264) == backup.content


async def test_upstream_403_surfaces_from_ytdlp_as_http_error(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    fake_tiktok.proxies[0].upstream_status = 403

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert isinstance(error, HTTPError) and error.status == 403


async def test_refusing_proxy_surfaces_from_ytdlp_as_transport_error(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    fake_tiktok.proxies[0].mode = ProxyMode.REFUSE

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert isinstance(error, TransportError)
    assert not fake_tiktok.requests


# --- (6) slideshows ---


async def test_slideshow_lists_heic_then_jpeg_and_image_cdn_serves_them(
    fake_tiktok: FakeTikTok, media: ModuleType
) -> None:
    post = fake_tiktok.add_slideshow(VIDEO_ID, images=[media.heic_bytes(), media.jpeg_bytes(1), media.png_bytes()])

    async with browser(fake_tiktok) as session:
        item = page_item((await session.get(post.url)).text)
        url_lists = [image["imageURL"]["urlList"] for image in item["imagePost"]["images"]]
        served = [[(await session.get(url)).content for url in urls] for urls in url_lists]

    assert "playAddr" not in item["video"] and item["video"]["duration"] == 0
    assert [[url.rsplit("?")[0].rsplit(".", 1)[1] for url in urls] for urls in url_lists] == [
        ["heic", "jpeg"],
        ["heic", "jpeg"],
        ["heic", "png"],
    ]
    assert [media.is_heic(heic) for heic, _ in served] == [True, True, True]
    assert served[0][0] == media.heic_bytes()
    assert served[0][1].startswith(b"\xff\xd8\xff")
    assert served[1][1] == media.jpeg_bytes(1)
    assert served[2][1] == media.png_bytes()


async def test_slideshow_can_list_jpeg_first(fake_tiktok: FakeTikTok, media: ModuleType) -> None:
    post = fake_tiktok.add_slideshow(VIDEO_ID, images=[media.jpeg_bytes()], heic_first=False)

    assert post.item["imagePost"]["images"][0]["imageURL"]["urlList"] == [
        post.images[0].plain_url,
        post.images[0].heic_url,
    ]


async def test_ytdlp_returns_only_the_sound_of_a_slideshow(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_slideshow(VIDEO_ID)

    info = await extract(make_ydl(fake_tiktok.proxies[0].url), PAGE_URL)

    assert post.music is not None
    assert [(f["format_id"], f["url"]) for f in info["formats"]] == [("audio", post.music.url)]
    assert info["formats"][0]["ext"] == "mp3"


async def test_slideshow_without_sound_has_no_formats_for_ytdlp(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_slideshow(VIDEO_ID, music=fake_tiktok.silent_music())

    error = await extraction_error(fake_tiktok, PAGE_URL)

    assert "No video formats found!" in str(error)


async def test_music_cdn_serves_the_sound(fake_tiktok: FakeTikTok, media: ModuleType) -> None:
    sound = fake_tiktok.music(title="orig sound", author="alice", audio=media.m4a_bytes(), duration=1)
    post = fake_tiktok.add_video(VIDEO_ID, music=sound)

    async with browser(fake_tiktok) as session:
        item = page_item((await session.get(post.url)).text)
        audio = await session.get(item["music"]["playUrl"])

    assert (item["music"]["title"], item["music"]["authorName"]) == ("orig sound", "alice")
    assert audio.content == media.m4a_bytes()
    assert audio.headers["Content-Type"] == "audio/mp4"


# --- (7) the proxy only tunnels to TikTok ---


async def test_connect_to_non_tiktok_host_is_refused_and_logged(fake_tiktok: FakeTikTok) -> None:
    async with browser(fake_tiktok) as session:
        with pytest.raises(curl_errors.ConnectionError, match="403"):
            await session.get("https://example.com/")

    [connection] = fake_tiktok.proxies[0].connections
    assert (connection.method, connection.host, connection.port, connection.allowed, connection.status) == (
        "CONNECT",
        "example.com",
        443,
        False,
        403,
    )
    assert fake_tiktok.hosts_contacted() == {"example.com"}
    assert not fake_tiktok.requests


async def test_plain_http_requests_through_the_proxy_reach_the_fake(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)

    async with browser(fake_tiktok) as session:
        response = await session.get(PAGE_URL.replace("https://", "http://"))

    assert response.status_code == 200
    [request] = fake_tiktok.requests
    assert (request.proxy, request.tls, request.url) == ("proxy0", None, PAGE_URL.replace("https://", "http://"))


# --- streaming, ranges, concurrency ---


async def test_large_video_streams_exact_bytes(fake_tiktok: FakeTikTok, media: ModuleType) -> None:
    size = 20 * 1024 * 1024
    post = fake_tiktok.add_large_video(VIDEO_ID, size=size)
    cookie = await chain_token_cookie(fake_tiktok, post)

    async with browser(fake_tiktok) as session:
        response = await session.get(post.h264_urls[0], headers={"Cookie": cookie}, timeout=30)

    assert post.h264 is not None and post.h264.data is None  # the fake holds a generator, not 20 MB
    assert len(response.content) == size
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(media.mp4_bytes(size)).digest()


async def test_cdn_honours_byte_ranges(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    cookie = await chain_token_cookie(fake_tiktok, post)

    async with browser(fake_tiktok) as session:
        response = await session.get(post.h264_urls[0], headers={"Cookie": cookie, "Range": "bytes=10-19"})

    assert response.status_code == 206
    assert response.content == read(post.h264)[10:20]
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(read(post.h264))}"


async def test_media_responses_in_flight_are_counted(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_large_video(VIDEO_ID, size=20 * 1024 * 1024)
    cookie = await chain_token_cookie(fake_tiktok, post)
    proxy, context = fake_tiktok.proxies[0].url, python_ssl_context(fake_tiktok)

    async with aiohttp.ClientSession() as session:
        # Headers arrive once the fake started each response; unread 20 MB bodies keep them in flight.
        first = await session.get(post.h264_urls[0], proxy=proxy, ssl=context, headers={"Cookie": cookie})
        second = await session.get(post.h264_urls[1], proxy=proxy, ssl=context, headers={"Cookie": cookie})
        peak_while_open = fake_tiktok.concurrent_media_peak
        first.close()
        second.close()

    assert peak_while_open == 2


async def test_many_links_at_once_through_all_proxies(fake_tiktok: FakeTikTok) -> None:
    posts = [fake_tiktok.add_video(str(7350000000000000100 + index)) for index in range(40)]

    async def fetch(index: int, post: Post) -> bytes:
        async with browser(fake_tiktok, proxy_index=index % len(fake_tiktok.proxies)) as session:
            await session.get(post.url)  # the page sets tt_chain_token in the session
            return (await session.get(post.h264_urls[0])).content

    videos = await asyncio.gather(*(fetch(index, post) for index, post in enumerate(posts)))

    assert all(video == read(post.h264) for video, post in zip(videos, posts, strict=True))
    assert {request.proxy for request in fake_tiktok.requests} == {"proxy0", "proxy1", "proxy2"}
    assert all(request.status == 200 for request in fake_tiktok.requests)


# --- wiring and fixtures ---


async def test_proxy_file_and_env_point_at_the_fake(fake_tiktok: FakeTikTok) -> None:
    assert fake_tiktok.proxy_file.read_text().split() == [proxy.url for proxy in fake_tiktok.proxies]
    assert set(fake_tiktok.env().values()) == {str(fake_tiktok.ca_file)}
    assert fake_tiktok.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")


async def test_reset_log_forgets_requests_and_connections(fake_tiktok: FakeTikTok) -> None:
    fake_tiktok.add_video(VIDEO_ID)
    async with browser(fake_tiktok) as session:
        await session.get(PAGE_URL)

    fake_tiktok.reset_log()

    assert not fake_tiktok.requests and not fake_tiktok.hosts_contacted()


def _ffmpeg_describe(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    return result.stderr


def test_media_files_are_real_and_distinct(media: ModuleType, tmp_path: Path) -> None:
    assert "Video: h264" in _ffmpeg_describe(media.mp4_bytes(), tmp_path, "a.mp4")
    assert "Video: hevc" in _ffmpeg_describe(media.mp4_bytevc1_bytes(), tmp_path, "b.mp4")
    assert "Video: h264" in _ffmpeg_describe(media.mp4_watermarked_bytes(), tmp_path, "c.mp4")
    assert "Audio: mp3" in _ffmpeg_describe(media.mp3_bytes(), tmp_path, "d.mp3")
    assert "Audio: aac" in _ffmpeg_describe(media.m4a_bytes(), tmp_path, "e.m4a")
    assert len({media.mp4_bytes(), media.mp4_bytevc1_bytes(), media.mp4_watermarked_bytes()}) == 3
    assert media.jpeg_bytes().startswith(b"\xff\xd8") and media.png_bytes().startswith(b"\x89PNG")
    assert media.is_heic(media.heic_bytes()) and media.jpeg_bytes(0) != media.jpeg_bytes(1)


def test_padded_mp4_has_the_requested_size_and_still_decodes(media: ModuleType, tmp_path: Path) -> None:
    padded = media.mp4_bytes(1024 * 1024)

    assert len(padded) == 1024 * 1024
    assert padded.startswith(media.mp4_bytes())
    assert "Video: h264" in _ffmpeg_describe(padded, tmp_path, "padded.mp4")
