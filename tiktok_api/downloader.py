"""Part 3 (and the hops of part 1): our own HTTP requests to TikTok with curl_cffi, as Chrome 120.

One AsyncSession per proxy, reused across requests (connections and TLS sessions stay warm). Media are
streamed: into memory while small, into a temporary file once they pass the memory threshold.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from curl_cffi import CurlError
from curl_cffi.requests import AsyncSession

from tiktok_api.exceptions import (
    TikTokExtractionError,
    TikTokNetworkError,
    TikTokRateLimitError,
    TikTokVideoTooLargeError,
)
from tiktok_api.hedging import first_byte
from tiktok_api.models import MediaFile
from tiktok_api.proxies import Proxy
from tiktok_api.retry import TryAnotherProxy

IMPERSONATE = "chrome120"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BLOCKED_STATUSES = frozenset({403, 429})


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float
    read: float  # longest silence while receiving


@dataclass(frozen=True, slots=True)
class Redirect:
    status: int
    location: str | None


class _SpillBuffer:
    """Bytes in memory up to `threshold`, then in a temporary file."""

    def __init__(self, threshold: int, temp_dir: Path | None, suffix: str) -> None:
        self._threshold = threshold
        self._temp_dir = temp_dir
        self._suffix = suffix
        self._chunks: list[bytes] = []
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._file is None and self.size > self._threshold:
            self._spill()
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._chunks.append(chunk)

    def _spill(self) -> None:
        descriptor, name = tempfile.mkstemp(prefix="tiktok-", suffix=self._suffix, dir=self._temp_dir)
        self._path = Path(name)
        self._file = os.fdopen(descriptor, "wb")
        for chunk in self._chunks:
            self._file.write(chunk)
        self._chunks.clear()

    def finish(self, filename: str, mime_type: str) -> MediaFile:
        if self._file is None:
            return MediaFile(size=self.size, data=b"".join(self._chunks), filename=filename, mime_type=mime_type)
        self._file.close()
        return MediaFile(size=self.size, path=self._path, filename=filename, mime_type=mime_type)

    def discard(self) -> None:
        self._chunks.clear()
        if self._file is not None:
            self._file.close()
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()


def _network_error(error: CurlError) -> TryAnotherProxy:
    reason = type(error).__name__
    failure = TryAnotherProxy(TikTokNetworkError(f"TikTok could not be reached ({reason})"))
    failure.error.__cause__ = error
    return failure


def _status_error(status: int) -> TryAnotherProxy:
    if status == 429:
        return TryAnotherProxy(TikTokRateLimitError("TikTok answered HTTP 429 (too many requests)"))
    if status == 403:
        return TryAnotherProxy(TikTokNetworkError("TikTok answered HTTP 403"))
    # A missing or expired media URL is not the proxy's fault: the next attempt tries the next URL.
    return TryAnotherProxy(TikTokExtractionError(f"TikTok's CDN answered HTTP {status}"), blame_proxy=False)


class Downloader:
    def __init__(
        self,
        timeouts: Timeouts,
        *,
        max_concurrent: int,
        memory_threshold: int,
        temp_dir: Path | None,
        ca_bundle: str | None,
    ) -> None:
        self._timeouts = timeouts
        self._slots = asyncio.Semaphore(max_concurrent)
        self._max_clients = max_concurrent
        self._memory_threshold = memory_threshold
        self._temp_dir = temp_dir
        self._verify: str | bool = ca_bundle or True
        self._sessions: dict[Proxy, AsyncSession] = {}

    def _session(self, proxy: Proxy) -> AsyncSession:
        session = self._sessions.get(proxy)
        if session is None:
            session = AsyncSession(
                impersonate=IMPERSONATE,
                proxy=proxy.url,
                verify=self._verify,
                max_clients=self._max_clients,
                discard_cookies=True,  # each request carries its own post's cookies
                allow_redirects=False,
            )
            self._sessions[proxy] = session
        return session

    @property
    def _timeout(self) -> tuple[float, float]:
        return (self._timeouts.connect, self._timeouts.read)

    async def redirect(self, url: str, proxy: Proxy) -> Redirect:
        """One HEAD request, redirects not followed: the caller checks each hop before taking it."""
        # yt-dlp resolves short links with this User-Agent: TikTok answers it with a plain redirect.
        headers = {"User-Agent": "facebookexternalhit/1.1"}
        try:
            response = await self._session(proxy).request("HEAD", url, headers=headers, timeout=self._timeout)
        except CurlError as error:
            raise _network_error(error) from None
        if response.status_code in _BLOCKED_STATUSES or response.status_code >= 500:
            raise _status_error(response.status_code)
        location = response.headers.get("Location") if response.status_code in _REDIRECT_STATUSES else None
        return Redirect(status=response.status_code, location=location)

    async def download(
        self,
        url: str,
        proxy: Proxy,
        *,
        headers: dict[str, str],
        max_size: int,
        suffix: str = "",
    ) -> MediaFile:
        """The body of `url`, refused as too large as soon as its size shows it. Raises TryAnotherProxy."""
        async with self._slots:
            try:
                return await self._stream(url, proxy, headers, max_size, suffix)
            except CurlError as error:
                raise _network_error(error) from None

    async def _stream(self, url: str, proxy: Proxy, headers: dict[str, str], max_size: int, suffix: str) -> MediaFile:
        session = self._session(proxy)
        # Media URLs come from TikTok's own page, so CDN redirects (to another edge) are followed.
        stream = session.stream(
            "GET", url, headers=headers, timeout=self._timeout, allow_redirects=True, max_redirects=3
        )
        async with stream as response:
            first_byte()
            if response.status_code != 200:
                raise _status_error(response.status_code)
            length = int(response.headers.get("Content-Length") or 0)
            if length > max_size:
                raise TikTokVideoTooLargeError(f"The file is {length} bytes, over the limit of {max_size}")
            buffer = _SpillBuffer(self._memory_threshold if length <= self._memory_threshold else 0,
                                  self._temp_dir, suffix)  # fmt: skip
            try:
                async for chunk in response.aiter_content():
                    buffer.write(chunk)
                    if buffer.size > max_size:
                        raise TikTokVideoTooLargeError(f"The file is over the limit of {max_size} bytes")
                if length and buffer.size != length:
                    raise TryAnotherProxy(TikTokNetworkError("The download ended early"))
            except BaseException:
                buffer.discard()
                raise
            return buffer.finish(filename="media" + suffix, mime_type=response.headers.get("Content-Type", ""))

    async def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()
