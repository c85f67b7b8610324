"""What the three processes share around their composition roots: the app holder, the start-up and the
way out."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError

from data.config import Settings
from misc.runtime.heap import settle_imported_heap
from misc.runtime.preflight import checked_settings
from misc.runtime.termination import Termination, exit_at_once_on_signals, stopped_line


@dataclass(slots=True)
class BotApp:
    """A built process: its bot and dispatcher, and every resource it owns (closed in reverse order)."""

    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    resources: AsyncExitStack

    async def close(self) -> None:
        await self.resources.aclose()


def run_process(
    process: str,
    require: Callable[[Settings], object],
    run: Callable[[Settings, Termination], Coroutine[Any, Any, None]],
) -> int:
    """Settings, then `run` on an event loop; every way out is one line at most: 2 for a configuration the
    bot cannot start with, 0 after SIGTERM, 130 after Ctrl-C (see misc/runtime/termination.py)."""
    exit_at_once_on_signals(process)
    settings = checked_settings(process, require)
    if settings is None:
        return 2
    termination = Termination(process)
    settle_imported_heap()
    try:
        asyncio.run(_installed(termination, run(settings, termination)))
    except TelegramUnauthorizedError:
        print(f"{process}: Telegram refused the token (401 Unauthorized): was it revoked?", file=sys.stderr)
        return 2
    except BaseException as error:
        if termination.received is None:
            raise
        if not isinstance(error, asyncio.CancelledError):
            print(f"{process}: while stopping: {type(error).__name__}: {error}", file=sys.stderr)
    if termination.received is not None:
        print(stopped_line(process, termination.received), file=sys.stderr, flush=True)
    return termination.exit_code


async def _installed(termination: Termination, running: Coroutine[Any, Any, None]) -> None:
    termination.install()
    await running


async def poll(bot: Bot, dispatcher: Dispatcher, termination: Termination, **polling: Any) -> None:
    """Long polling until SIGTERM/SIGINT. Until every start-up handler has run, a signal cancels the start-up;
    after that it stops polling the graceful way (the dispatcher's shutdown handlers let running work finish)."""
    stopping: set[asyncio.Task[None]] = set()

    def stop() -> None:
        task = asyncio.create_task(dispatcher.stop_polling())
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    async def now_serving() -> None:
        termination.serving(stop)

    dispatcher.startup.register(now_serving)  # last: after the process's own start-up handlers
    # A webhook left behind (by the main bot, or an earlier run) makes getUpdates fail with 409 Conflict.
    await bot.delete_webhook(drop_pending_updates=False)
    await dispatcher.start_polling(
        bot, allowed_updates=dispatcher.resolve_used_update_types(), handle_signals=False, **polling
    )
