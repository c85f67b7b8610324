"""What can go wrong when fetching a TikTok post. Each error names its `kind` for callers and locales."""

from __future__ import annotations


class TikTokError(Exception):
    """Base of every error the client raises; `kind` is a short stable name (a locale key suffix)."""

    kind: str = "unknown"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or self.kind)


class TikTokInvalidLinkError(TikTokError):
    """Not a TikTok post link."""

    kind = "invalid_link"


class TikTokDeletedError(TikTokError):
    """The post was deleted or does not exist."""

    kind = "deleted"


class TikTokPrivateError(TikTokError):
    """The post or its author's account is private."""

    kind = "private"


class TikTokRegionError(TikTokError):
    """The post is not available in the proxy's region."""

    kind = "region"


class TikTokLoginRequiredError(TikTokError):
    """TikTok shows the post to logged-in viewers only (age-restricted or login wall)."""

    kind = "login_required"


class TikTokRateLimitError(TikTokError):
    """TikTok is limiting our requests (HTTP 429 or a bot check that never passes)."""

    kind = "rate_limited"


class TikTokBotCheckError(TikTokRateLimitError):
    """TikTok's bot check came back after it was solved: it does not trust us, or changed the check."""


class TikTokNetworkError(TikTokError):
    """TikTok could not be reached through any proxy."""

    kind = "network"


class TikTokExtractionError(TikTokError):
    """TikTok answered, but the post could not be read."""

    kind = "extraction"


class TikTokPageUnreadError(TikTokExtractionError):
    """TikTok answered, but the post data could not be found in the page (what a site change looks like)."""


class TikTokVideoTooLongError(TikTokError):
    """The video is longer than the configured maximum duration."""

    kind = "too_long"


class TikTokVideoTooLargeError(TikTokError):
    """The media is larger than the upload limit."""

    kind = "too_large"


# Errors that may go away through another proxy: the others are TikTok's answer about the content.
RETRYABLE_ERRORS: tuple[type[TikTokError], ...] = (TikTokNetworkError, TikTokRateLimitError, TikTokExtractionError)
