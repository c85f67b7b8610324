"""`python -m tiktok_api <url> [--proxy-file F] [-o DIR]`: download one post, to check a setup by hand.

`python -m tiktok_api --check <url>…`: read each post's page only (no media), one line per URL, and exit
non-zero when any of them fails: for cron or a container health check (TikTok changed its site?).

Settings come from the environment like the bot's (PROXY_FILE, PROXY_INCLUDE_HOST, …, and the CA
bundle variables); `--proxy-file` wins over PROXY_FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
from pathlib import Path

from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig
from tiktok_api.exceptions import TikTokError
from tiktok_api.models import MediaFile, SlideshowInfo
from tiktok_api.proxies import ProxyFileError


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tiktok_api", description="Download a TikTok post.")
    parser.add_argument("urls", nargs="+", metavar="url", help="a TikTok link (full or short); several with --check")
    parser.add_argument(
        "--check", action="store_true", help="only read each post's page; exit 1 when any cannot be read"
    )
    parser.add_argument("--proxy-file", type=Path, help="proxy list, one URL per line (default: $PROXY_FILE)")
    parser.add_argument("-o", "--output", type=Path, default=Path(), help="directory to save into (default: .)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each attempt")
    arguments = parser.parse_args(argv)
    if not arguments.check and len(arguments.urls) > 1:
        parser.error("one URL at a time, or several with --check")
    return arguments


def _save(media: MediaFile, directory: Path) -> Path:
    target = directory / media.filename
    if media.path is not None:
        shutil.move(media.path, target)
        media.path = None
    else:
        target.write_bytes(media.read_bytes())
    return target


async def _download(url: str, config: ClientConfig, directory: Path) -> list[Path]:
    async with TikTokClient(config) as client:
        post = await client.video(url)
        with post:
            media = post.images if isinstance(post, SlideshowInfo) else [post.media]
            saved = [_save(item, directory) for item in media]
            print(f"{post.url} by @{post.author}: {post.description!r}")
        try:
            sound = await client.music(post.id)
        except TikTokError as error:
            print(f"no sound ({error.kind}): {error}", file=sys.stderr)
            return saved
        with sound:
            saved.append(_save(sound.media, directory))
    return saved


async def _check(urls: list[str], config: ClientConfig) -> bool:
    """One line per URL on stdout; True when every page was read."""
    all_read = True
    async with TikTokClient(config) as client:
        for url in urls:
            try:
                post = await client.check(url)
            except TikTokError as error:
                all_read = False
                print(f"FAIL {url}: {error.kind}: {error}", flush=True)
                continue
            kind = "slideshow" if post.is_slideshow else "video"
            print(f"ok   {url}: {kind} {post.id} by @{post.author}", flush=True)
    return all_read


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    logging.basicConfig(level=logging.INFO if arguments.verbose else logging.WARNING, format="%(message)s")
    try:
        overrides = {"proxy_file": arguments.proxy_file} if arguments.proxy_file else {}
        config = ClientConfig.from_env(**overrides)
        if arguments.check:
            return 0 if asyncio.run(_check(arguments.urls, config)) else 1
        arguments.output.mkdir(parents=True, exist_ok=True)
        saved = asyncio.run(_download(arguments.urls[0], config, arguments.output))
    except TikTokError as error:
        print(f"error ({error.kind}): {error}", file=sys.stderr)
        return 1
    except (ProxyFileError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in saved:
        print(f"saved {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
