"""Is extraction working? A sliding window over page reads that says when to alarm and when all is clear.

TikTok changing its site shows as pages we cannot read (no post data, a bot check that never passes),
not as content answers (deleted, private, …: the page was read) nor as network trouble (a retry's job).
`ExtractionWatch` knows nothing of Telegram: it answers each observation with the news to tell, if any.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from yt_dlp.version import __version__ as _YTDLP_VERSION

from tiktok_api.config import WatchSettings
from tiktok_api.exceptions import (
    TikTokBotCheckError,
    TikTokDeletedError,
    TikTokLoginRequiredError,
    TikTokPageUnreadError,
    TikTokPrivateError,
    TikTokRegionError,
    TikTokVideoTooLargeError,
    TikTokVideoTooLongError,
)

# Errors raised only after TikTok's page was read: the page told us something about the post.
_PAGE_READ_ERRORS = (
    TikTokDeletedError,
    TikTokPrivateError,
    TikTokRegionError,
    TikTokLoginRequiredError,
    TikTokVideoTooLongError,
    TikTokVideoTooLargeError,
)
_PAGE_UNREAD_ERRORS = (TikTokPageUnreadError, TikTokBotCheckError)


def ytdlp_version() -> str:
    return _YTDLP_VERSION


def page_was_read(error: BaseException) -> bool | None:
    """True: a content answer (the page was read); False: an extraction failure; None: says nothing
    about extraction (network trouble, a timeout, Telegram)."""
    if isinstance(error, _PAGE_UNREAD_ERRORS):
        return False
    if isinstance(error, _PAGE_READ_ERRORS):
        return True
    return None


class Change(StrEnum):
    BROKEN = "broken"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class HealthNews:
    """What to tell the operators: extraction broke, or works again; with the window's figures."""

    change: Change
    failures: int
    attempts: int
    last_error: str

    @property
    def rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0


@dataclass(slots=True)
class _Second:
    at: int
    reads: int = 0
    failures: int = 0


class ExtractionWatch:
    """Counts page reads per second over the window (memory stays bounded by its length in seconds).

    Alarm: at least `min_attempts` reads and a failure rate of `threshold` or more, and no alarm in the
    last `alert_interval` seconds. All clear: after an alarm, once the rate falls below half the
    threshold (so a rate hovering at the threshold does not flap)."""

    def __init__(self, settings: WatchSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._seconds: deque[_Second] = deque()
        self._reads = 0
        self._failures = 0
        self._broken = False
        self._last_alarm: float | None = None
        self.last_error = ""

    def observe(self, error: BaseException | None) -> HealthNews | None:
        """One delivery that reached TikTok: None when it succeeded, else its error."""
        if error is None:
            return self.page_read()
        verdict = page_was_read(error)
        if verdict is None:
            return None
        return self.page_read() if verdict else self.page_unread(str(error))

    def page_read(self) -> HealthNews | None:
        self._count(failed=False)
        return self._news()

    def page_unread(self, error: str) -> HealthNews | None:
        self.last_error = error
        self._count(failed=True)
        return self._news()

    def _count(self, *, failed: bool) -> None:
        now = self._clock()
        self._forget_before(now - self._settings.window)
        second = int(now)
        if not self._seconds or self._seconds[-1].at != second:
            self._seconds.append(_Second(second))
        bucket = self._seconds[-1]
        bucket.reads += 1
        self._reads += 1
        if failed:
            bucket.failures += 1
            self._failures += 1

    def _forget_before(self, horizon: float) -> None:
        while self._seconds and self._seconds[0].at < horizon:
            gone = self._seconds.popleft()
            self._reads -= gone.reads
            self._failures -= gone.failures

    def _news(self) -> HealthNews | None:
        settings, now = self._settings, self._clock()
        rate = self._failures / self._reads if self._reads else 0.0
        if not self._broken:
            if self._reads < settings.min_attempts or rate < settings.threshold:
                return None
            if self._last_alarm is not None and now - self._last_alarm < settings.alert_interval:
                return None
            self._broken, self._last_alarm = True, now
            return self._report(Change.BROKEN)
        if rate < settings.threshold / 2:
            self._broken = False
            return self._report(Change.RECOVERED)
        return None

    def _report(self, change: Change) -> HealthNews:
        return HealthNews(change, self._failures, self._reads, self.last_error)
