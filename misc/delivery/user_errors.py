"""Every failure of a delivery, named by a kind and told in the user's language (`error_<kind>`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.exceptions import TelegramAPIError, TelegramEntityTooLarge, TelegramForbiddenError

from data.kinds import ErrorKind
from data.locales import Locales
from tiktok_api.exceptions import TikTokError

MEGABYTE = 1024 * 1024


def error_kind(error: BaseException) -> ErrorKind:
    """The kind stored in `videos.error_kind` / `music.error_kind` and used for the locale key."""
    if isinstance(error, TikTokError):
        return ErrorKind(error.kind)
    if isinstance(error, TelegramForbiddenError):
        return ErrorKind.BLOCKED
    if isinstance(error, TelegramEntityTooLarge):
        return ErrorKind.TOO_LARGE
    if isinstance(error, TelegramAPIError):
        return ErrorKind.SEND_FAILED
    if isinstance(error, TimeoutError):
        return ErrorKind.NETWORK
    return ErrorKind.UNKNOWN


@dataclass(frozen=True, slots=True)
class ErrorTexts:
    locales: Locales
    upload_limit: int
    max_video_duration: int

    def text(self, lang: str, kind: ErrorKind) -> str:
        key = f"error_{kind}"
        if key not in self.locales.keys(self.locales.default):
            key = f"error_{ErrorKind.UNKNOWN}"
        return self.locales.text(lang, key, limit=self._limit_for(kind))

    def _limit_for(self, kind: ErrorKind) -> str:
        if kind == ErrorKind.TOO_LARGE:
            return f"{self.upload_limit / MEGABYTE:g}"
        return f"{self.max_video_duration / 60:g}"
