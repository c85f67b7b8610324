"""Hedged steps: a step through a proxy that has had no first byte within a short deadline starts again
through another proxy, and the first answer wins; the other attempt is cancelled.

A step says its first byte arrived by calling `first_byte()` (the downloader does, once response headers
are in); a step that never says so is hedged unless it finished within the deadline. Hedges in flight
are bounded client-wide, so a burst through a slow proxy does not double its traffic. Once a hedge has
won over a silent proxy, that proxy is known to be stalled: every step still silent on it moves to
another proxy at once, outside the bound (a move sends nothing twice), so a burst's tail does not wait
for the connect timeout.
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


_is_hedge: contextvars.ContextVar[bool] = contextvars.ContextVar("is_hedge", default=False)


def first_byte() -> None:
    """The running step has heard from TikTok: it is alive and will not be hedged."""
    event = _first_byte.get()
    if event is not None:
        event.set()


def is_hedge() -> bool:
    """Whether the running step stands in for a stalled one (a hedge or a move): a step that queues for
    a bounded resource lets it go first, since the stalled one it replaces may hold a place there."""
    return _is_hedge.get()


class Hedger:
    """Runs steps, hedging the stalled ones: `after` seconds of silence start a hedge, at most `limit` hedges
    run at once."""

    def __init__(self, after: float, limit: int) -> None:
        self._after = after
        self._limit = limit
        self._in_flight = 0
        self._silent_on: dict[Proxy, set[asyncio.Event]] = {}  # per proxy: set when it is found stalled

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
        counted = False
        found_stalled = asyncio.Event()
        self._silent_on.setdefault(proxy, set()).add(found_stalled)
        try:
            first = self._start(step, proxy, attempts)
            heard = attempts[first][1]
            silent = not await _heard(first, heard, found_stalled, timeout=self._after)
            if silent and not found_stalled.is_set() and self._in_flight >= self._limit:
                # Hedges are used up: wait for this proxy, unless another step finds it stalled meanwhile.
                silent = not await _heard(first, heard, found_stalled, timeout=None)
            other = spare(proxy) if silent else None
            if other is not None and found_stalled.is_set():
                await _give_up(first, attempts)  # another step found this proxy stalled: move, do not race it
                logger.info("%s was found stalled; moving to %s", proxy, other)
                self._start(step, other, attempts, hedge=True)
            elif other is not None:
                counted = True
                self._in_flight += 1
                logger.info("No answer via %s within %g s; also trying %s", proxy, self._after, other)
                self._start(step, other, attempts, hedge=True)
            winner = await _first_answer(attempts, on_failure)
            if winner is not first and not first.done() and not heard.is_set():
                on_stalled(proxy)
                self._found_stalled(proxy)
            return attempts[winner][0], winner.result()
        finally:
            self._in_flight -= int(counted)
            self._silent_on[proxy].discard(found_stalled)
            if not self._silent_on[proxy]:
                del self._silent_on[proxy]
            await _cancel(attempts, keep=winner)

    def _found_stalled(self, proxy: Proxy) -> None:
        for found_stalled in self._silent_on.get(proxy, ()):
            found_stalled.set()

    @staticmethod
    def _start(
        step: Callable[[Proxy], Awaitable[T]],
        proxy: Proxy,
        attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]],
        *,
        hedge: bool = False,
    ) -> asyncio.Task[T]:
        heard = asyncio.Event()
        context = contextvars.copy_context()
        context.run(_first_byte.set, heard)
        context.run(_is_hedge.set, hedge)
        task: asyncio.Task[T] = asyncio.get_running_loop().create_task(_awaited(step, proxy), context=context)
        attempts[task] = (proxy, heard)
        return task


async def _heard(
    task: asyncio.Task[T], heard: asyncio.Event, found_stalled: asyncio.Event, timeout: float | None
) -> bool:
    """Whether `task` finished or heard from TikTok before `timeout` or before its proxy was found stalled."""
    signals = [asyncio.ensure_future(heard.wait()), asyncio.ensure_future(found_stalled.wait())]
    try:
        await asyncio.wait({task, *signals}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for signal in signals:
            signal.cancel()
    return task.done() or heard.is_set()


async def _give_up(task: asyncio.Task[T], attempts: dict[asyncio.Task[T], tuple[Proxy, asyncio.Event]]) -> None:
    """Cancel `task` and drop it from the race, unless it answered meanwhile (then it races as it is)."""
    task.cancel()
    await asyncio.wait({task})
    if task.cancelled():
        del attempts[task]


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
