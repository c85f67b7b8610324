"""What `tiktok_api/extractor.py` takes from yt-dlp beyond its public API, checked against the installed yt-dlp.

The extractor subclasses `TikTokIE` and calls or overrides its private methods. yt-dlp may rename or
reshape those in any release, and extraction would then break in production without a clear error. This
test fails first, naming what changed; README "Upgrading yt-dlp" says what to do then.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from yt_dlp import YoutubeDL
from yt_dlp.cookies import YoutubeDLCookieJar
from yt_dlp.extractor.tiktok import TikTokIE
from yt_dlp.utils import ExtractorError
from yt_dlp.version import __version__ as YT_DLP_VERSION

# (where, name, the leading parameters we pass or override, after self/cls). yt-dlp may add optional ones.
RELIED_ON: list[tuple[type, str, tuple[str, ...]]] = [
    (TikTokIE, "__init__", ("downloader",)),
    (TikTokIE, "extract", ("url",)),
    (TikTokIE, "_match_id", ("url",)),
    (TikTokIE, "_create_url", ("user_id", "video_id")),
    (TikTokIE, "_extract_web_data_and_status", ("url", "video_id")),
    (TikTokIE, "_parse_aweme_video_web", ("aweme_detail", "webpage_url", "video_id")),
    (TikTokIE, "_solve_challenge_and_set_cookies", ("webpage",)),
    (TikTokIE, "raise_login_required", ("msg",)),
    (YoutubeDL, "__init__", ("params", "auto_init")),
    (YoutubeDLCookieJar, "get_cookie_header", ("url",)),
]
# Our overrides only take effect if the page fetch still calls them.
CALLED_BY_THE_PAGE_FETCH = ("_solve_challenge_and_set_cookies", "raise_login_required")


def changed(what: str) -> str:
    return (
        f"yt-dlp {YT_DLP_VERSION} changed {what}, which tiktok_api/extractor.py relies on: adapt _PostPageIE "
        "to the new yt-dlp (or keep the previous version: see README, 'Upgrading yt-dlp')"
    )


def parameter_names(function: Callable[..., Any]) -> tuple[str, ...]:
    names = tuple(inspect.signature(function).parameters)
    return names[1:] if names[:1] in (("self",), ("cls",)) else names


@pytest.mark.parametrize(
    ("owner", "name", "expected"), RELIED_ON, ids=[f"{owner.__name__}.{name}" for owner, name, _ in RELIED_ON]
)
def test_the_methods_the_extractor_uses_keep_their_names_and_parameters(
    owner: type, name: str, expected: tuple[str, ...]
) -> None:
    function = inspect.getattr_static(owner, name, None)
    assert function is not None, changed(f"{owner.__name__}.{name} (it is gone)")
    found = parameter_names(getattr(owner, name))
    assert found[: len(expected)] == expected, changed(f"{owner.__name__}.{name}{found}; expected {expected} first")


@pytest.mark.parametrize("name", CALLED_BY_THE_PAGE_FETCH)
def test_the_page_fetch_still_calls_what_the_extractor_overrides(name: str) -> None:
    source = inspect.getsource(TikTokIE._extract_web_data_and_status)
    assert f"self.{name}(" in source, changed(f"TikTokIE._extract_web_data_and_status (it no longer calls {name})")


def test_extractor_errors_still_carry_the_message_and_the_cause() -> None:
    cause = OSError("reset")
    error = ExtractorError("page gone", cause=cause, expected=True)
    assert (error.orig_msg, error.cause) == ("page gone", cause), changed("ExtractorError's orig_msg or cause")
