"""Hedged steps: a step through a proxy that has had no first byte within a short deadline starts again
through another proxy, and the first answer wins; the other attempt is cancelled.

A step says its first byte arrived by calling `first_byte()` (the downloader does, once response headers
are in); a step that never says so is hedged unless it finished within the deadline. Hedges in flight
are bounded client-wide, so a burst through a slow proxy does not double its traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tiktok_api.proxies import Proxy
from tiktok_api.retry import TryAnotherProxy

logger = logging.getLogger(__name__)

T = TypeVar("T")

_first_byte: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar("first_byte", default=None)


def first_byte() -> None:
    """The running step has heard from TikTok: it is alive and will not be hedged."""
    event = _first_byte.get()
    if event is not None:
        event.set()


class Hedger:
    """Runs steps, hedging the stalled ones: `after` seconds of silence start a hedge, at most `limit` hedges
    run at once."""

    def __init__(self, after: float, limit: int) -> None:
        self._after = after
        self._limit = limit
        self._in_flight = 0

    async def run(
        self,
        step: Callable[[Proxy], Awaitable[T]],
        proxy: Proxy,
        *,
        spare: Callable[[Proxy], Proxy | None],
        on_failure: Callable[[Proxy, TryAnotherProxy], None],
        on_stalled: Callable[[Proxy], None],
    ) -> tuple[Proxy, T]:
        """The proxy that answered and its result. Every TryAnotherProxy goes to `on_failure`; the last is
        raised when no attempt is left. Any other error is an answer: it is raised at once."""
        attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]] = {}
        winner: asyncio.Task[T] | None = None
        hedged = False
        try:
            first = self._start(step, proxy, attempts)
            if not await self._heard_within_deadline(first, attempts[first][1]) and self._in_flight < self._limit:
                other = spare(proxy)
                if other is not None:
                    hedged = True
                    self._in_flight += 1
                    logger.info("No answer via %s within %g s; also trying %s", proxy, self._after, other)
                    self._start(step, other, attempts)
            winner = await _first_answer(attempts, on_failure)
            if winner is not first and not first.done() and not attempts[first][1].is_set():
                on_stalled(proxy)
            return attempts[winner][0], winner.result()
        finally:
            if hedged:
                self._in_flight -= 1
            await _cancel(attempts, keep=winner)

    async def _heard_within_deadline(self, task: asyncio.Task[T], heard: asyncio.Event) -> bool:
        waiting = asyncio.ensure_future(heard.wait())
        try:
            await asyncio.wait({task, waiting}, timeout=self._after, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        return task.done() or heard.is_set()

    @staticmethod
    def _start(
        step: Callable[[Proxy], Awaitable[T]],
        proxy: Proxy,
        attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]],
    ) -> asyncio.Task[T]:
        heard = asyncio.Event()
        context = contextvars.copy_context()
        context.run(_first_byte.set, heard)
        task: asyncio.Task[T] = asyncio.get_running_loop().create_task(_awaited(step, proxy), context=context)
        attempts[task] = (proxy, heard)
        return task


async def _first_answer(
    attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]],
    on_failure: Callable[[Proxy, TryAnotherProxy], None],
) -> asyncio.Task[T]:
    """The first attempt that answered (a result or an error other than TryAnotherProxy)."""
    pending = set(attempts)
    last_failure: TryAnotherProxy | None = None
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in sorted(done, key=list(attempts).index):
            error = task.exception()
            if not isinstance(error, TryAnotherProxy):
                if error is not None:
                    raise error
                return task
            on_failure(attempts[task][0], error)
            last_failure = error
    assert last_failure is not None
    raise last_failure


async def _awaited(step: Callable[[Proxy], Awaitable[T]], proxy: Proxy) -> T:
    return await step(proxy)


async def _cancel(attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]], keep: asyncio.Task[T] | None) -> None:
    """Cancel what still runs; a result other than the kept one (it arrived too late) is closed, not leaked."""
    running = [task for task in attempts if not task.done()]
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running)
    for task in attempts:
        if task is not keep and not task.cancelled() and task.exception() is None:
            with contextlib.suppress(AttributeError):
                task.result().close()  # type: ignore[attr-defined]
