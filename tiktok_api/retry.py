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
    for attempt in range(1, attempts + 1):
        proxy = route(session)
        try:
            result = await step(proxy)
        except TryAnotherProxy as failure:
            logger.info("%s via %s failed (attempt %d/%d): %s", part, proxy, attempt, attempts, failure.error)
            if attempt == attempts:
                raise failure.error from failure.error.__cause__
            if failure.blame_proxy:
                session.rotate(proxy)
            else:
                session.switch(proxy)
            continue
        session.succeeded(proxy)
        return result
    raise AssertionError("unreachable")
