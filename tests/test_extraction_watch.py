"""The extraction watch on its own, with a hand-turned clock: when it alarms, when it is quiet."""

from __future__ import annotations

import pytest

from tiktok_api.config import WatchSettings
from tiktok_api.exceptions import (
    TikTokBotCheckError,
    TikTokDeletedError,
    TikTokExtractionError,
    TikTokNetworkError,
    TikTokPageUnreadError,
    TikTokPrivateError,
    TikTokRateLimitError,
    TikTokRegionError,
)
from tiktok_api.health import Change, ExtractionWatch, HealthNews, page_was_read

SETTINGS = WatchSettings(window=60, threshold=0.5, min_attempts=4, alert_interval=600)
UNREAD = TikTokPageUnreadError("Could not read the post page")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def watch(settings: WatchSettings = SETTINGS) -> tuple[ExtractionWatch, Clock]:
    clock = Clock()
    return ExtractionWatch(settings, clock=clock), clock


def feed(target: ExtractionWatch, *errors: BaseException | None) -> list[HealthNews]:
    return [news for error in errors if (news := target.observe(error)) is not None]


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TikTokPageUnreadError(), False),
        (TikTokBotCheckError(), False),
        (TikTokDeletedError(), True),
        (TikTokPrivateError(), True),
        (TikTokRegionError(), True),
        (TikTokNetworkError(), None),
        (TikTokRateLimitError(), None),  # HTTP 429: a retry's job
        (TikTokExtractionError("The slideshow could not be rendered"), None),
        (TimeoutError(), None),
    ],
)
def test_only_unreadable_pages_count_against_extraction(error: BaseException, verdict: bool | None) -> None:
    assert page_was_read(error) is verdict


def test_too_few_attempts_never_alarm() -> None:
    target, _ = watch()
    assert feed(target, None, UNREAD, UNREAD) == []  # 2 of 3 is over the threshold, but only 3 reads


def test_alarm_once_at_the_threshold_with_the_last_error() -> None:
    target, _ = watch()
    news = feed(target, None, None, TikTokPageUnreadError("first"), TikTokPageUnreadError("second"), UNREAD, UNREAD)
    assert news == [HealthNews(Change.BROKEN, failures=2, attempts=4, last_error="second")]
    assert news[0].rate == 0.5


def test_content_answers_and_network_trouble_do_not_alarm() -> None:
    target, _ = watch()
    burst = [TikTokDeletedError()] * 10 + [TikTokNetworkError()] * 10
    assert feed(target, *burst) == []


def test_all_clear_once_the_rate_is_below_half_the_threshold() -> None:
    target, _ = watch()
    assert [n.change for n in feed(target, UNREAD, UNREAD, UNREAD, UNREAD)] == [Change.BROKEN]
    news = feed(target, *[None] * 13)  # 4 of 16 = 25%: not yet; 4 of 17 is below
    assert news == [HealthNews(Change.RECOVERED, failures=4, attempts=17, last_error=str(UNREAD))]


def test_failures_older_than_the_window_are_forgotten() -> None:
    target, clock = watch()
    feed(target, UNREAD, UNREAD, UNREAD)
    clock.now += 61
    assert feed(target, None, None, None, UNREAD) == []  # 1 of 4 in the window


def test_a_second_alarm_waits_for_the_alert_interval() -> None:
    target, clock = watch()
    feed(target, *[UNREAD] * 4)
    feed(target, *[None] * 20)  # all clear
    clock.now += 120  # the window has moved on; the site breaks again
    assert feed(target, *[UNREAD] * 4) == []
    clock.now += 480  # 600 s after the first alarm (the window has forgotten the last burst too)
    assert [n.change for n in feed(target, *[UNREAD] * 4)] == [Change.BROKEN]
