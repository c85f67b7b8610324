"""Proxies: the PROXY_FILE, a round-robin rotation that rests failing proxies, and a per-request session."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tiktok_api.hedging import Hedger

logger = logging.getLogger(__name__)

PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h", "socks4", "socks4a"})


class ProxyFileError(ValueError):
    """A PROXY_FILE line is not a proxy URL. The message names the line, never its credentials."""


@dataclass(frozen=True, slots=True)
class Proxy:
    """One way out: a proxy URL, or None for the direct connection. `str()` never shows credentials."""

    url: str | None = field(default=None, repr=False)

    @property
    def is_direct(self) -> bool:
        return self.url is None

    @property
    def name(self) -> str:
        if self.url is None:
            return "direct"
        parts = urlsplit(self.url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Proxy({self.name})"


DIRECT = Proxy()


def parse_proxy_lines(text: str, source: str = "PROXY_FILE") -> list[Proxy]:
    """One proxy URL per line (`scheme://[user:pass@]host:port`); blank lines and `#` comment lines are skipped."""
    proxies: list[Proxy] = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        words = raw_line.split()
        if not words or words[0].startswith("#"):
            continue
        line = words[0]  # what follows whitespace is a comment
        try:
            parts = urlsplit(line)
            valid = parts.scheme.lower() in PROXY_SCHEMES and bool(parts.hostname) and parts.port is not None
        except ValueError:
            valid = False
        if not valid:
            raise ProxyFileError(f"{source} line {number} is not a proxy URL like http://host:port")
        proxies.append(Proxy(line))
    return proxies


def load_proxy_file(path: Path) -> list[Proxy]:
    return parse_proxy_lines(Path(path).read_text(encoding="utf-8"), source=str(path))


@dataclass(slots=True)
class _Health:
    failures: int = 0  # in a row
    rests: int = 0  # rests in a row, for the back-off
    rested_until: float = 0.0


class ProxyRotation:
    """Hands out proxies round-robin. A proxy that fails `failures_before_rest` times in a row is rested
    (30 s, doubling up to 10 min while it keeps failing) instead of being handed out again at once."""

    def __init__(
        self,
        proxies: Sequence[Proxy],
        *,
        failures_before_rest: int = 3,
        rest_seconds: float = 30.0,
        max_rest_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._proxies = list(proxies) or [DIRECT]
        self._health = {proxy: _Health() for proxy in self._proxies}
        self._next = 0
        self._failures_before_rest = failures_before_rest
        self._rest_seconds = rest_seconds
        self._max_rest_seconds = max_rest_seconds
        self._clock = clock

    @classmethod
    def from_file(cls, proxy_file: Path | None, *, include_direct: bool = False) -> ProxyRotation:
        proxies = load_proxy_file(proxy_file) if proxy_file is not None else []
        if include_direct or not proxies:
            proxies = [DIRECT, *proxies]
        return cls(proxies)

    @property
    def proxies(self) -> list[Proxy]:
        return list(self._proxies)

    def __len__(self) -> int:
        return len(self._proxies)

    def is_resting(self, proxy: Proxy) -> bool:
        health = self._health.get(proxy)
        return health is not None and health.rested_until > self._clock()

    def acquire(self, avoid: Proxy | None = None) -> Proxy:
        """The next proxy that is not resting (and not `avoid`); if all are, the one that wakes first."""
        count = len(self._proxies)
        for step in range(count):
            proxy = self._proxies[(self._next + step) % count]
            if proxy != avoid and not self.is_resting(proxy):
                self._next = (self._next + step + 1) % count
                return proxy
        others = [proxy for proxy in self._proxies if proxy != avoid] or self._proxies
        return min(others, key=lambda proxy: self._health[proxy].rested_until)

    def report_failure(self, proxy: Proxy) -> None:
        health = self._health.get(proxy)
        if health is None:
            return
        health.failures += 1
        if health.failures < self._failures_before_rest:
            return
        rest = min(self._rest_seconds * 2**health.rests, self._max_rest_seconds)
        health.rested_until = self._clock() + rest
        health.rests += 1
        health.failures = 0
        logger.warning("Proxy %s keeps failing; resting it for %.0f s", proxy.name, rest)

    def report_success(self, proxy: Proxy) -> None:
        health = self._health.get(proxy)
        if health is not None:
            health.failures = 0
            health.rests = 0


class ProxySession:
    """The proxy of one request flow: taken at first use and kept for every part until a retry rotates."""

    def __init__(self, rotation: ProxyRotation, *, media_direct: bool = False, hedger: Hedger | None = None) -> None:
        self._rotation = rotation
        self._media_direct = media_direct
        self._current: Proxy | None = None
        self.hedger = hedger

    @property
    def proxy(self) -> Proxy:
        if self._current is None:
            self._current = self._rotation.acquire()
        return self._current

    @property
    def media_proxy(self) -> Proxy:
        """Where media downloads go: the session's proxy, or direct with PROXY_DATA_ONLY."""
        return DIRECT if self._media_direct else self.proxy

    @property
    def has_alternatives(self) -> bool:
        return len(self._rotation) > 1

    def rotate(self, failed: Proxy) -> Proxy:
        """`failed` did not work: count it against that proxy and move on (unless a parallel step already did)."""
        self._rotation.report_failure(failed)
        return self.switch(failed)

    def switch(self, away_from: Proxy) -> Proxy:
        """Move to another proxy without blaming this one (an answer that another IP may see differently)."""
        if self._current is None or self._current == away_from:
            self._current = self._rotation.acquire(avoid=away_from)
        return self._current

    def succeeded(self, proxy: Proxy) -> None:
        self._rotation.report_success(proxy)

    def adopt(self, hedge: Proxy) -> None:
        """A hedge through `hedge` answered first: the flow's next parts go through it too."""
        self._current = hedge

    def spare(self, busy: Proxy) -> Proxy | None:
        """Another proxy to hedge a step running through `busy` with, or None when there is none."""
        if (busy.is_direct and self._media_direct) or not self.has_alternatives:
            return None
        spare = self._rotation.acquire(avoid=busy)
        return None if spare == busy else spare
