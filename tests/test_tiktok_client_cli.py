"""`python -m tiktok_api`: an operator downloads a post to check their setup."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from types import ModuleType

from tests.fakes.tiktok import FakeTikTok

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"


async def run_cli(*arguments: str) -> tuple[int, str, str]:
    environment = {name: value for name, value in os.environ.items() if name != "PROXY_FILE"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tiktok_api", *arguments,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=environment,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def saved_files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


async def test_cli_saves_the_video_and_its_sound(fake_tiktok: FakeTikTok, tmp_path: Path, media: ModuleType) -> None:
    post = fake_tiktok.add_video(POST_ID, music=fake_tiktok.music(title="orig sound", audio=media.mp3_bytes()))
    short_url = fake_tiktok.add_short_link("ZMabc123", to=post.url)
    output = tmp_path / "out"

    code, stdout, stderr = await run_cli(short_url, "--proxy-file", str(fake_tiktok.proxy_file), "-o", str(output))

    assert (code, stderr) == (0, "")
    assert saved_files(output) == {f"{POST_ID}.mp4": post.h264.read(), "orig sound.mp3": media.mp3_bytes()}  # type: ignore[union-attr]
    assert f"saved {output / f'{POST_ID}.mp4'}" in stdout


async def test_cli_saves_every_image_of_a_slideshow(fake_tiktok: FakeTikTok, tmp_path: Path) -> None:
    fake_tiktok.add_slideshow(POST_ID)
    output = tmp_path / "out"

    code, _, _ = await run_cli(PAGE_URL, "--proxy-file", str(fake_tiktok.proxy_file), "-o", str(output))

    assert code == 0
    assert {name for name in saved_files(output) if name.endswith(".jpg")} == {
        f"{POST_ID}_1.jpg",
        f"{POST_ID}_2.jpg",
        f"{POST_ID}_3.jpg",
    }


async def test_cli_failure_is_one_clear_line(fake_tiktok: FakeTikTok, tmp_path: Path) -> None:
    fake_tiktok.add_status(POST_ID, 10216)

    code, stdout, stderr = await run_cli(PAGE_URL, "--proxy-file", str(fake_tiktok.proxy_file), "-o", str(tmp_path))

    assert code == 1 and stdout == ""
    assert stderr.splitlines() == ["error (private): This post is private (status 10216)"]


async def test_cli_names_a_broken_proxy_file(fake_tiktok: FakeTikTok, tmp_path: Path) -> None:
    proxy_file = tmp_path / "proxies.txt"
    proxy_file.write_text("127.0.0.1:3128\n")

    code, _, stderr = await run_cli(PAGE_URL, "--proxy-file", str(proxy_file))

    assert code == 1
    assert stderr.splitlines() == [f"error: {proxy_file} line 1 is not a proxy URL like http://host:port"]


# ---- --check: for cron and container health checks ----

OTHER_ID = "7350000000000000002"


def check_arguments(fake_tiktok: FakeTikTok, *urls: str) -> list[str]:
    return ["--check", *urls, "--proxy-file", str(fake_tiktok.proxy_file)]


async def test_check_reads_every_page_without_downloading_and_exits_zero(fake_tiktok: FakeTikTok) -> None:
    video = fake_tiktok.add_video(POST_ID, author="alice")
    slideshow = fake_tiktok.add_slideshow(OTHER_ID, author="bob")

    code, stdout, stderr = await run_cli(*check_arguments(fake_tiktok, video.url, slideshow.url))

    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [
        f"ok   {video.url}: video {POST_ID} by @alice",
        f"ok   {slideshow.url}: slideshow {OTHER_ID} by @bob",
    ]
    assert {request.host for request in fake_tiktok.requests} == {"www.tiktok.com"}  # pages only, no media


async def test_check_exits_non_zero_when_tiktok_changed_its_pages(fake_tiktok: FakeTikTok) -> None:
    video = fake_tiktok.add_video(POST_ID)
    fake_tiktok.site_changed = True

    code, stdout, _ = await run_cli(*check_arguments(fake_tiktok, video.url))

    assert code == 1
    assert stdout.splitlines() == [
        f"FAIL {video.url}: extraction: Could not read the post page: Unexpected response from webpage request"
    ]


async def test_check_exits_non_zero_when_any_url_fails(fake_tiktok: FakeTikTok) -> None:
    video = fake_tiktok.add_video(POST_ID)
    walled = fake_tiktok.add_waf_forever(OTHER_ID)

    code, stdout, _ = await run_cli(*check_arguments(fake_tiktok, walled.url, video.url))

    assert code == 1
    assert stdout.splitlines() == [
        f"FAIL {walled.url}: rate_limited: TikTok's bot check did not pass",
        f"ok   {video.url}: video {POST_ID} by @alice",
    ]


async def test_downloading_takes_one_url_at_a_time(fake_tiktok: FakeTikTok) -> None:
    code, _, stderr = await run_cli(PAGE_URL, PAGE_URL)

    assert code == 2
    assert stderr.splitlines()[-1].endswith("one URL at a time, or several with --check")
