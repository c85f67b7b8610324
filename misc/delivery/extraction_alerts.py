"""TikTok changing its site, told to the admins before users tell them.

Every delivery that reached TikTok is shown to the extraction watch (tiktok_api/health.py); when the
watch says pages stopped being read, or are read again, every admin (ADMIN_IDS) gets one message in
their language with the failure rate, the last error and the installed yt-dlp version.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable

from aiogram.exceptions import TelegramAPIError

from data.locales import Locales
from data.repositories.users import UserRepository
from misc.delivery.best_effort import best_effort
from misc.telegram.media_sender import MediaSender
from tiktok_api.health import Change, ExtractionWatch, HealthNews, ytdlp_version

logger = logging.getLogger("tt-bot.health")

_TEXT_KEYS = {Change.BROKEN: "admin_extraction_broken", Change.RECOVERED: "admin_extraction_recovered"}
# Telegram's message limit is 4096 characters; a yt-dlp message with a page excerpt can be longer.
_ERROR_CHARS = 500


class ExtractionAlerts:
    def __init__(
        self,
        watch: ExtractionWatch,
        window_seconds: float,
        admin_ids: Iterable[int],
        sender: MediaSender,
        users: UserRepository,
        locales: Locales,
    ) -> None:
        self._watch = watch
        self._window_minutes = max(1, round(window_seconds / 60))
        self._admin_ids = sorted(admin_ids)
        self._sender = sender
        self._users = users
        self._locales = locales

    async def observe(self, error: BaseException | None) -> None:
        """One delivery that asked TikTok for a post: None when the page was read, else what went wrong."""
        news = self._watch.observe(error)
        if news is None:
            return
        logger.warning(
            "TikTok extraction %s: %d of %d page reads failed in %d min; last error: %s; yt-dlp %s",
            news.change, news.failures, news.attempts, self._window_minutes, news.last_error, ytdlp_version(),
        )  # fmt: skip
        for admin_id in self._admin_ids:
            await self._tell(admin_id, news)

    async def _tell(self, admin_id: int, news: HealthNews) -> None:
        profile = await best_effort(self._users.get(admin_id), None, "admin language lookup")
        language = self._locales.pick(profile.language if profile else None)
        text = self._locales.text(
            language,
            _TEXT_KEYS[news.change],
            failures=news.failures,
            attempts=news.attempts,
            minutes=self._window_minutes,
            rate=f"{news.rate:.0%}",
            error=html.escape(news.last_error[:_ERROR_CHARS]),
            version=ytdlp_version(),
        )
        try:
            await self._sender.send_text(admin_id, text)
        except TelegramAPIError as error:  # an admin who never started the bot, or blocked it
            logger.warning("extraction alert not delivered to admin %s: %s", admin_id, error)
