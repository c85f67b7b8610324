"""Retrying one part of a request flow through the next proxy of its ProxySession."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tiktok_api.exceptions import TikTokError
from tiktok_api.proxies import Proxy, ProxySession

logger = logging.getLogger(__name__)

T = TypeVar("T")


class TryAnotherProxy(Exception):
    """A failure another proxy may not see. `error` is what the caller gets when no attempt is left."""

    def __init__(self, error: TikTokError, *, blame_proxy: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.blame_proxy = blame_proxy


def page_route(session: ProxySession) -> Proxy:
    return session.proxy


def media_route(session: ProxySession) -> Proxy:
    return session.media_proxy


async def with_retries(
    part: str,
    attempts: int,
    session: ProxySession,
    step: Callable[[Proxy], Awaitable[T]],
    route: Callable[[ProxySession], Proxy] = page_route,
) -> T:
    """Run `step` through the session's proxy; on TryAnotherProxy rotate at once (no sleep) and run again."""
    attempts = max(1, attempts)
    run = session.hedger.run if session.hedger is not None else _run_once
    for attempt in range(1, attempts + 1):

        def failed(proxy: Proxy, failure: TryAnotherProxy, attempt: int = attempt) -> None:
            logger.info("%s via %s failed (attempt %d/%d): %s", part, proxy, attempt, attempts, failure.error)
            if failure.blame_proxy:
                session.rotate(proxy)
            else:
                session.switch(proxy)

        first = route(session)
        try:
            proxy, result = await run(step, first, spare=session.spare, on_failure=failed, on_stalled=session.rotate)
        except TryAnotherProxy as failure:
            if attempt == attempts:
                raise failure.error from failure.error.__cause__
            continue
        if proxy != first:
            session.adopt(proxy)
        session.succeeded(proxy)
        return result
    raise AssertionError("unreachable")


async def _run_once(
    step: Callable[[Proxy], Awaitable[T]],
    proxy: Proxy,
    *,
    spare: Callable[[Proxy], Proxy | None],
    on_failure: Callable[[Proxy, TryAnotherProxy], None],
    on_stalled: Callable[[Proxy], None],
) -> tuple[Proxy, T]:
    """`Hedger.run` without hedging."""
    try:
        return proxy, await step(proxy)
    except TryAnotherProxy as failure:
        on_failure(proxy, failure)
        raise
