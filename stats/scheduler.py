"""Background work of the stats bot: rolling up closed days, and keeping the two STATS_CHAT messages
(all time, last 24 hours) up to date on their own intervals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from data.config import Settings
from data.repositories.stats import Period, StatsRepository
from stats import texts
from stats.replies import edit_text, is_gone

logger = logging.getLogger("tt-bot.stats")
# Days close at midnight (plus the rollup lag); checking every few minutes finds a new one soon.
ROLLUP_CHECK_INTERVAL = 600.0


@dataclass(frozen=True, slots=True)
class Board:
    name: str
    interval: float
    render: Callable[[StatsRepository], Awaitable[str]]


async def _overall(stats: StatsRepository) -> str:
    return texts.board(texts.BOARD_OVERALL_TITLE, await stats.audience_figures(Period.ALL))


async def _last_24h(stats: StatsRepository) -> str:
    return texts.board(texts.BOARD_DAILY_TITLE, await stats.audience_figures(Period.DAY))


def boards_of(settings: Settings) -> list[Board]:
    return [
        Board("overall", settings.stats_overall_interval, _overall),
        Board("daily", settings.stats_daily_interval, _last_24h),
    ]


class StatsScheduler:
    def __init__(self, bot: Bot, stats: StatsRepository, settings: Settings) -> None:
        self._bot = bot
        self._stats = stats
        self._chat_id = settings.stats_chat
        self._boards = boards_of(settings) if settings.stats_chat is not None else []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        # The first rollup after deployment on a big database takes a while: do it now, not on the
        # first operator's question.
        self._tasks.append(asyncio.create_task(self._every(ROLLUP_CHECK_INTERVAL, self._roll_up), name="stats-rollup"))
        for board in self._boards:
            refresh = self._refresher(board)
            self._tasks.append(asyncio.create_task(self._every(board.interval, refresh), name=f"stats-{board.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _every(self, interval: float, job: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("stats job failed; retrying in %.0f s", interval)
            await asyncio.sleep(interval)

    async def _roll_up(self) -> None:
        await self._stats.advance_rollups()

    def _refresher(self, board: Board) -> Callable[[], Awaitable[None]]:
        async def refresh() -> None:
            await self.refresh(board)

        return refresh

    async def refresh(self, board: Board) -> None:
        """Edit the board's message; send a new one when there is none yet or it was deleted."""
        assert self._chat_id is not None
        text = await board.render(self._stats)
        message_id = await self._stats.board_message(self._chat_id, board.name)
        if message_id is not None:
            try:
                await edit_text(self._bot, self._chat_id, message_id, text, None)
                return
            except TelegramBadRequest as error:
                if not is_gone(error):
                    raise
        sent = await self._bot.send_message(self._chat_id, text)
        await self._stats.save_board_message(self._chat_id, board.name, sent.message_id)
