"""Part 2: a post's page data through yt-dlp's TikTok extractor (page fetch, WAF challenge, cookies).

yt-dlp is synchronous, so extractions run in worker threads. Each one gets a slim `YoutubeDL`
(no extractor registry: ~1 ms instead of ~55 ms) bound to one proxy, because yt-dlp fixes the proxy
when a `YoutubeDL` is created.

A thread cannot be cancelled: a fetch through a proxy that accepts and never answers holds its thread
until the socket timeout, even after a hedge through another proxy has won. So `workers` bounds the
extractions that are getting on, not the threads: one silent for longer than `slot_hold` (or given up)
frees its place, and the pool has room for that many stuck threads again; a hedge (see `hedging`) does
not queue for a place at all. So a burst through a stalled proxy does not queue every other post behind it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

from yt_dlp import YoutubeDL
from yt_dlp.extractor.tiktok import TikTokIE
from yt_dlp.networking.exceptions import HTTPError, RequestError
from yt_dlp.utils import ExtractorError

from tiktok_api.exceptions import (
    TikTokBotCheckError,
    TikTokDeletedError,
    TikTokError,
    TikTokExtractionError,
    TikTokLoginRequiredError,
    TikTokNetworkError,
    TikTokPageUnreadError,
    TikTokPrivateError,
    TikTokRateLimitError,
    TikTokRegionError,
)
from tiktok_api.hedging import is_hedge
from tiktok_api.links import canonical_url
from tiktok_api.proxies import Proxy
from tiktok_api.retry import TryAnotherProxy

logger = logging.getLogger(__name__)

STATUS_OK = 0
STATUS_UNAVAILABLE = 10204  # "item doesn't exist", but TikTok also says it to blocked IPs
STATUS_PRIVATE_POST = 10216
STATUS_PRIVATE_ACCOUNT = 10222
STATUS_REGION_LOCKED = 10231

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


class _LoginRequired(ExtractorError):
    pass


class _PostPageIE(TikTokIE):
    """TikTokIE reading the web page only, handing back the raw post data and TikTok's status code.

    Slideshow images, the sound and the status code live in the post data; yt-dlp itself keeps only
    a slideshow's sound and turns status codes into messages.
    """

    IE_NAME = "tiktok"
    _ENABLED = False

    def __init__(self, downloader: YoutubeDL) -> None:
        super().__init__(downloader)
        self.challenged = False

    def _real_extract(self, url: str) -> dict[str, Any]:
        post_id = self._match_id(url)
        page_url = self._create_url(None, post_id)
        post_data, status = self._extract_web_data_and_status(page_url, post_id)
        info = self._parse_aweme_video_web(post_data, page_url, post_id) if post_data and status == STATUS_OK else {}
        return {**info, "id": post_id, "status_code": status, "post_data": post_data or {}}

    def raise_login_required(self, msg: str = "Login required", *args: Any, **kwargs: Any) -> None:
        # The /login redirect and age-restricted posts: a type instead of a message to match.
        raise _LoginRequired(msg, expected=True)

    def _solve_challenge_and_set_cookies(self, webpage: str) -> Any:
        # yt-dlp calls this for any page without post data; only a page that held a challenge it solved
        # counts as one (a page of a new layout raises here and is "unread", not "bot check").
        cookies = super()._solve_challenge_and_set_cookies(webpage)
        self.challenged = True
        return cookies


@dataclass(slots=True)
class PostPage:
    """What the page said about a post: its status code, raw data, yt-dlp's formats, and the cookies
    the page set (the CDN wants `tt_chain_token`)."""

    post_id: str
    status: int
    data: dict[str, Any] = field(default_factory=dict)
    formats: list[dict[str, Any]] = field(default_factory=list)
    cookies: CookieJar = field(default_factory=CookieJar)
    page_url: str = ""

    def media_headers(self, url: str) -> dict[str, str]:
        """What the CDN wants with a media URL: the page's cookies for that host and the page as Referer."""
        headers = {"Referer": self.page_url}
        cookie = self.cookies.get_cookie_header(url)  # type: ignore[attr-defined]  # a YoutubeDLCookieJar
        if cookie:
            headers["Cookie"] = cookie
        return headers

    def raise_for_status(self) -> None:
        """TikTok's answer about the content, as our error types."""
        if self.status == STATUS_OK and self.data:
            return
        if self.status == STATUS_UNAVAILABLE:
            raise TikTokDeletedError("TikTok says this post does not exist (status 10204)")
        if self.status in (STATUS_PRIVATE_POST, STATUS_PRIVATE_ACCOUNT):
            raise TikTokPrivateError(f"This post is private (status {self.status})")
        if self.status == STATUS_REGION_LOCKED:
            raise TikTokRegionError("This post is not available in this region (status 10231)")
        raise TikTokExtractionError(f"TikTok did not show the post (status {self.status})")


class _QuietLogger:
    """yt-dlp's messages at debug level, with any proxy credentials cut out."""

    @staticmethod
    def _log(level: int, message: str) -> None:
        if logger.isEnabledFor(level):
            logger.log(level, "yt-dlp: %s", _CREDENTIALS.sub("***@", message))

    def debug(self, message: str) -> None:
        self._log(logging.DEBUG, message)

    def info(self, message: str) -> None:
        self._log(logging.DEBUG, message)

    def warning(self, message: str) -> None:
        self._log(logging.DEBUG, message)

    def error(self, message: str) -> None:
        self._log(logging.DEBUG, message)


def _params(proxy: Proxy, socket_timeout: float) -> dict[str, Any]:
    params: dict[str, Any] = {
        "quiet": True,
        "no_warnings": True,
        "logger": _QuietLogger(),
        "socket_timeout": socket_timeout,
        "cachedir": False,
        "noplaylist": True,
        "extractor_retries": 0,
        # Read the CA bundle from SSL_CERT_FILE like every other TLS client here, not certifi's.
        "compat_opts": {"no-certifi"},
    }
    if proxy.url is not None:
        params["proxy"] = proxy.url
    return params


def classify(error: ExtractorError, *, challenged: bool) -> TikTokError | TryAnotherProxy:
    """A yt-dlp failure as our error; TryAnotherProxy when another proxy may do better."""
    if isinstance(error, _LoginRequired):
        return TikTokLoginRequiredError(error.orig_msg)
    cause = error.cause
    if isinstance(cause, HTTPError):
        if cause.status == 429:
            return TryAnotherProxy(TikTokRateLimitError("TikTok answered HTTP 429 (too many requests)"))
        return TryAnotherProxy(TikTokNetworkError(f"TikTok answered HTTP {cause.status}"))
    if isinstance(cause, RequestError):
        return TryAnotherProxy(TikTokNetworkError(f"TikTok could not be reached: {type(cause).__name__}"))
    if challenged:
        # The bot check came back after it was solved: TikTok does not trust this IP right now.
        return TryAnotherProxy(TikTokBotCheckError("TikTok's bot check did not pass"))
    # An unexpected page (a proxy's error page, or TikTok's layout changed): another proxy may do better.
    return TryAnotherProxy(TikTokPageUnreadError(f"Could not read the post page: {error.orig_msg}"))


class PostExtractor:
    """Runs page extractions in a bounded pool of worker threads."""

    def __init__(self, workers: int, socket_timeout: float, slot_hold: float | None = None) -> None:
        workers = max(1, workers)
        self._places = asyncio.Semaphore(workers)
        self._pool = ThreadPoolExecutor(max_workers=4 * workers, thread_name_prefix="yt-dlp")
        self._socket_timeout = socket_timeout
        self._slot_hold = slot_hold if slot_hold else socket_timeout

    async def fetch(self, post_id: str, proxy: Proxy) -> PostPage:
        """The post's page through `proxy`. Raises TryAnotherProxy or a TikTokError."""
        loop = asyncio.get_running_loop()
        if is_hedge():  # it stands in for a stalled extraction, which may hold the place it would wait for
            return await loop.run_in_executor(self._pool, self._fetch_blocking, post_id, proxy)
        async with self._places:
            extraction = loop.run_in_executor(self._pool, self._fetch_blocking, post_id, proxy)
            try:
                return await asyncio.wait_for(asyncio.shield(extraction), self._slot_hold)
            except TimeoutError:
                pass  # silent for long: its place goes to the next extraction, the thread finishes alone
            except asyncio.CancelledError:
                extraction.cancel()  # drops it if no thread has taken it yet
                raise
        try:
            return await extraction
        except asyncio.CancelledError:
            extraction.cancel()
            raise

    def _fetch_blocking(self, post_id: str, proxy: Proxy) -> PostPage:
        with YoutubeDL(_params(proxy, self._socket_timeout), auto_init=False) as ydl:
            extractor = _PostPageIE(ydl)
            try:
                result = extractor.extract(canonical_url(post_id))
            except ExtractorError as error:
                failure = classify(error, challenged=extractor.challenged)
                target = failure.error if isinstance(failure, TryAnotherProxy) else failure
                target.__cause__ = error.cause or error
                raise failure from target.__cause__
            return PostPage(
                post_id=post_id,
                status=result["status_code"],
                data=result["post_data"],
                formats=result.get("formats") or [],
                cookies=ydl.cookiejar,
                page_url=canonical_url(post_id),
            )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
