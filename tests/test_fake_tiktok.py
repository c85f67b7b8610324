"""The fake TikTok works with the real yt-dlp TikTok extractor and the real curl_cffi, unmodified."""

from __future__ import annotations

import asyncio
from typing import Any

import yt_dlp
from curl_cffi.requests import AsyncSession
from yt_dlp.extractor.tiktok import TikTokIE, TikTokVMIE

from tests.fakes.tiktok import FakeTikTok

VIDEO_ID = "7350000000000000001"


def make_ydl(proxy_url: str) -> yt_dlp.YoutubeDL:
    ydl = yt_dlp.YoutubeDL(
        {"proxy": proxy_url, "compat_opts": {"no-certifi"}, "quiet": True, "no_warnings": True},
        auto_init=False,
    )
    ydl.add_info_extractor(TikTokIE())
    ydl.add_info_extractor(TikTokVMIE())
    return ydl


async def extract(ydl: yt_dlp.YoutubeDL, url: str) -> dict[str, Any]:
    return await asyncio.to_thread(ydl.extract_info, url, download=False)


async def test_ytdlp_extracts_video_post_with_h264_and_bytevc1_formats(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID, author="alice", desc="hello #fyp")
    ydl = make_ydl(fake_tiktok.proxies[1].url)

    info = await extract(ydl, f"https://www.tiktok.com/@alice/video/{VIDEO_ID}")

    assert info["id"] == VIDEO_ID
    assert info["uploader"] == "alice"
    assert info["description"] == "hello #fyp"
    codecs = {f["format_id"].split("-")[0]: f["vcodec"] for f in info["formats"]}
    assert codecs["h264_540p_560000"] == "h264"
    assert codecs["bytevc1_720p_720000"] == "h265"
    assert {f["url"] for f in info["formats"]} >= {*post.h264_urls, *post.bytevc1_urls, post.download_url}
    cookies = ydl.cookiejar.get_cookie_header(post.h264_urls[0])
    assert "tt_chain_token=" in cookies and "ttwid=" in cookies and "msToken=" in cookies
    [page_request] = fake_tiktok.requests_to("www.tiktok.com")
    assert page_request.proxy == "proxy1"
    assert page_request.path == f"/@alice/video/{VIDEO_ID}"


async def test_curl_cffi_gets_exact_video_bytes_only_with_chain_token(fake_tiktok: FakeTikTok) -> None:
    post = fake_tiktok.add_video(VIDEO_ID)
    ydl = make_ydl(fake_tiktok.proxies[0].url)
    await extract(ydl, f"https://www.tiktok.com/@alice/video/{VIDEO_ID}")
    cookie = ydl.cookiejar.get_cookie_header(post.h264_urls[0])
    assert post.h264 is not None

    async with AsyncSession(impersonate="chrome120", proxy=fake_tiktok.proxies[0].url,
                            verify=str(fake_tiktok.ca_file)) as session:  # fmt: skip
        with_cookie = await session.get(post.h264_urls[0], headers={"Cookie": cookie})
        without_cookie = await session.get(post.h264_urls[0])

    assert with_cookie.status_code == 200
    assert with_cookie.content == post.h264.read()
    assert without_cookie.status_code == 403
