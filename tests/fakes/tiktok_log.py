"""What the fake TikTok saw: every HTTP request, with the proxy and TLS ClientHello it came through."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.clienthello import ClientHello


@dataclass(slots=True)
class LoggedRequest:
    host: str
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names in canonical Title-Case ("User-Agent", "Cookie")
    cookies: dict[str, str]
    proxy: str | None  # name of the FakeProxy it came through; None for a direct connection
    tls: ClientHello | None  # None for plain HTTP
    status: int | None = None  # None while the response is still being written

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("User-Agent")

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}{self.path}" + (f"?{self.query}" if self.query else "")


@dataclass(slots=True)
class RequestLog:
    requests: list[LoggedRequest] = field(default_factory=list)
    media_in_flight: int = 0
    media_peak: int = 0
    pages_in_flight: int = 0
    page_peak: int = 0

    def media_started(self) -> None:
        self.media_in_flight += 1
        self.media_peak = max(self.media_peak, self.media_in_flight)

    def media_finished(self) -> None:
        self.media_in_flight -= 1

    def page_started(self) -> None:
        self.pages_in_flight += 1
        self.page_peak = max(self.page_peak, self.pages_in_flight)

    def page_finished(self) -> None:
        self.pages_in_flight -= 1

    def clear(self) -> None:
        self.requests.clear()
        self.media_peak = self.media_in_flight
        self.page_peak = self.pages_in_flight
