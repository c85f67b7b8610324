"""The broadcast job runner: copies an admin's message to every private user, persisted and resumable.

Jobs live in the database (`broadcasts`, `broadcast_deliveries`). At start-up the runner picks up any
unfinished job and goes on after the last settled recipient; every recipient is claimed before the
send, so a restart (or a second worker process) never sends to a claimed chat again. It runs well below
Telegram's ~30 messages/s bot-wide limit and slows down further while downloads are running, so the
download path keeps its share of the outgoing budget. 429s and server errors are retried by the bot's
session (`misc.telegram.limits`); a flood wait longer than that layer sleeps pauses the job instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from data.repositories import Repositories
from data.repositories.broadcasts import BroadcastJob, BroadcastStatus, BroadcastTally, DeliveryStatus

logger = logging.getLogger("tt-bot.broadcast")

# Telegram allows a bot about 30 messages/s in total; the broadcast takes at most two thirds of that
# when the bot is idle and a small share while downloads are being delivered.
IDLE_RATE = 20.0
BUSY_RATE = 4.0
PAGE_SIZE = 200
ERROR_BACKOFF = 5.0
STOP_GRACE = 5.0

# Telegram's descriptions when the admin's original message is gone: no recipient can get a copy then.
_SOURCE_GONE = ("message to copy not found", "message_id_invalid")

REPORT_TEMPLATE = "📣 Broadcast #{id} {outcome}.\nSent: {sent}\nBlocked: {blocked}\nFailed: {failed}"
UNCONFIRMED_LINE = "\nUnconfirmed (interrupted by a restart, not sent again): {count}"
ABORTED_REASON = "\nStopped: the original message is no longer available to copy."


class _SourceGone(Exception):
    """The message to copy was deleted: stop the job instead of failing every recipient."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str
    error: str | None = None


def format_report(broadcast_id: int, tally: BroadcastTally, *, aborted: bool = False) -> str:
    text = REPORT_TEMPLATE.format(
        id=broadcast_id,
        outcome="stopped" if aborted else "finished",
        sent=tally.sent,
        blocked=tally.blocked,
        failed=tally.failed,
    )
    if tally.unconfirmed:
        text += UNCONFIRMED_LINE.format(count=tally.unconfirmed)
    if aborted:
        text += ABORTED_REASON
    return text


class Broadcaster:
    """One background task per process; jobs run one after another, in the order they were created."""

    def __init__(
        self,
        bot: Bot,
        repos: Repositories,
        *,
        downloads_busy: Callable[[], bool] = lambda: False,
        idle_rate: float = IDLE_RATE,
        busy_rate: float = BUSY_RATE,
    ) -> None:
        self._bot = bot
        self._repos = repos
        self._downloads_busy = downloads_busy
        self._idle_interval = 1 / idle_rate
        self._busy_interval = 1 / busy_rate
        self._next_send_at = 0.0
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin (or resume) delivering unfinished jobs in the background."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="broadcaster")

    def wake(self) -> None:
        """A new job was stored: pick it up now."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the send in flight (so its outcome is recorded), then end; cancel after a grace period."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE)
        except TimeoutError:
            logger.warning("broadcaster did not stop within %.0f s; cancelled", STOP_GRACE)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                self._wake.clear()
                job = await self._repos.broadcasts.next_unfinished()
                if job is None:
                    await self._wake.wait()
                    continue
                await self._deliver(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database or network outage must not end broadcasting for the life of the process.
                logger.exception("broadcast runner failed; retrying in %.0f s", ERROR_BACKOFF)
                await self._sleep_unless_stopping(ERROR_BACKOFF)

    async def _deliver(self, job: BroadcastJob) -> None:
        logger.info("broadcast #%d: delivering after chat %d", job.id, job.last_chat_id)
        markup = InlineKeyboardMarkup.model_validate(job.reply_markup) if job.reply_markup else None
        after = job.last_chat_id
        while not self._stopping:
            page = await self._repos.users.private_chat_ids_after(after, PAGE_SIZE)
            if not page:
                await self._complete(job, aborted=False)
                return
            for chat_id in page:
                if self._stopping:
                    return
                await self._wait_for_turn()
                if not await self._repos.broadcasts.claim(job.id, chat_id):
                    after = chat_id
                    continue
                try:
                    outcome = await self._send(job, chat_id, markup)
                except _SourceGone:
                    await self._repos.broadcasts.release(job.id, chat_id)
                    await self._complete(job, aborted=True)
                    return
                except TelegramRetryAfter as error:
                    await self._repos.broadcasts.release(job.id, chat_id)
                    await self._pause(error.retry_after)
                    break  # the page is read again from `after`: this chat comes first
                after = chat_id
                await self._repos.broadcasts.settle(job.id, chat_id, outcome.status, outcome.error)
                if outcome.status == DeliveryStatus.BLOCKED:
                    await self._repos.users.mark_blocked(chat_id)

    async def _send(self, job: BroadcastJob, chat_id: int, markup: InlineKeyboardMarkup | None) -> _Outcome:
        try:
            return await self._copy(job, chat_id, markup)
        finally:
            self._schedule_next_turn()

    async def _copy(self, job: BroadcastJob, chat_id: int, markup: InlineKeyboardMarkup | None) -> _Outcome:
        try:
            await self._bot.copy_message(
                chat_id=chat_id, from_chat_id=job.from_chat_id, message_id=job.message_id, reply_markup=markup
            )
            return _Outcome(DeliveryStatus.SENT)
        except TelegramRetryAfter:
            raise  # a flood wait the session did not sleep out: the job pauses
        except TelegramForbiddenError as error:
            return _Outcome(DeliveryStatus.BLOCKED, error.message)
        except TelegramBadRequest as error:
            if any(marker in error.message.lower() for marker in _SOURCE_GONE):
                raise _SourceGone from error
            return _Outcome(DeliveryStatus.FAILED, error.message)
        except AiogramError as error:
            return _Outcome(DeliveryStatus.FAILED, str(error))

    async def _pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (Telegram's flood wait; sending earlier only extends it), unless stopped."""
        logger.warning("broadcast paused for %d s: Telegram asked to wait", seconds)
        loop = asyncio.get_running_loop()
        resume_at = loop.time() + seconds
        while not self._stopping and (left := resume_at - loop.time()) > 0:
            self._wake.clear()  # a new job waits for this one anyway; only stop() cuts the pause short
            await self._sleep_unless_stopping(left)

    async def _complete(self, job: BroadcastJob, *, aborted: bool) -> None:
        status = BroadcastStatus.ABORTED if aborted else BroadcastStatus.DONE
        # Only the worker that closes the job reports it (webhook mode runs several processes).
        if not await self._repos.broadcasts.finish(job.id, status):
            return
        tally = await self._repos.broadcasts.tally(job.id)
        logger.info(
            "broadcast #%d %s: sent=%d blocked=%d failed=%d unconfirmed=%d",
            job.id,
            status,
            tally.sent,
            tally.blocked,
            tally.failed,
            tally.unconfirmed,
        )
        try:
            await self._bot.send_message(job.admin_chat_id, format_report(job.id, tally, aborted=aborted))
        except AiogramError:
            logger.warning("broadcast #%d: could not send the report to the admin", job.id)

    async def _wait_for_turn(self) -> None:
        """Sleep until the next send is due; chats skipped as already claimed cost no turn."""
        loop = asyncio.get_running_loop()
        wait = self._next_send_at - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)

    def _schedule_next_turn(self) -> None:
        interval = self._busy_interval if self._downloads_busy() else self._idle_interval
        self._next_send_at = asyncio.get_running_loop().time() + interval

    async def _sleep_unless_stopping(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
