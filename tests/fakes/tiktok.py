"""A fake TikTok reached through local HTTP proxies, with a throw-away CA (contract: FAKE_TIKTOK.md).

Start it with `async with FakeTikTok(tmp_path, proxies=3) as tt`, add posts (`tt.add_video(...)`), put
`tt.env()` into os.environ and point a client at `tt.proxy_file` or `tt.proxies[i].url`.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from aiohttp import web

from tests.fakes.proxy import FakeProxy, Gateway, ProxyConnection, ProxyMode, TunnelRegistry
from tests.fakes.tiktok_app import FakeTikTokApp
from tests.fakes.tiktok_content import Blob, Catalog, Music, Post, SlideImage
from tests.fakes.tiktok_hosts import IMAGE_HOST, MUSIC_HOST, SHORT_LINK_HOSTS, VIDEO_BACKUP_HOST, VIDEO_HOST, WEB_HOST
from tests.fakes.tiktok_log import LoggedRequest, RequestLog
from tests.fakes.tiktok_posts import TikTokContent
from tests.fakes.tls import ServerCredentials, make_server_credentials

__all__ = [
    "IMAGE_HOST",
    "MUSIC_HOST",
    "SHORT_LINK_HOSTS",
    "VIDEO_BACKUP_HOST",
    "VIDEO_HOST",
    "WEB_HOST",
    "Blob",
    "FakeProxy",
    "FakeTikTok",
    "LoggedRequest",
    "Music",
    "Post",
    "ProxyConnection",
    "ProxyMode",
    "SlideImage",
]


class FakeTikTok(TikTokContent):
    """The proxies, the TLS web app behind them and what they logged; content methods come from TikTokContent."""

    def __init__(self, directory: Path, proxies: int = 1) -> None:
        super().__init__(Catalog())
        self.directory = Path(directory)
        self.proxies: list[FakeProxy] = []
        self._proxy_count = proxies
        self._tunnels = TunnelRegistry()
        self._log = RequestLog()
        self._app = FakeTikTokApp(self._catalog, self._tunnels, self._log)
        self._runner: web.AppRunner | None = None
        self._credentials: ServerCredentials | None = None

    # --- lifecycle ---
    async def __aenter__(self) -> FakeTikTok:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        self._credentials = make_server_credentials(self.directory)
        # No listening sockets of its own: proxies hand accepted tunnels straight to the app's server.
        self._runner = web.AppRunner(self._app.build(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        assert self._runner.server is not None
        gateway = Gateway(
            protocol_factory=self._runner.server,
            tls_context=self._credentials.server_context(),
            tunnels=self._tunnels,
        )
        self.proxies = [FakeProxy(f"proxy{index}", gateway) for index in range(self._proxy_count)]
        for proxy in self.proxies:
            await proxy.start()
        self.proxy_file.write_text("".join(f"{proxy.url}\n" for proxy in self.proxies))

    async def stop(self) -> None:
        for proxy in self.proxies:
            await proxy.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- trust ---
    @property
    def ca_file(self) -> Path:
        assert self._credentials is not None, "start the fake first"
        return self._credentials.ca_file

    @property
    def proxy_file(self) -> Path:
        return self.directory / "proxies.txt"

    def env(self) -> dict[str, str]:
        """Environment variables that make yt-dlp (with compat_opts no-certifi), curl_cffi and ssl trust the CA."""
        ca = str(self.ca_file)
        return {"SSL_CERT_FILE": ca, "REQUESTS_CA_BUNDLE": ca, "CURL_CA_BUNDLE": ca}

    # --- observation ---
    @property
    def requests(self) -> list[LoggedRequest]:
        return self._log.requests

    def requests_to(self, host: str) -> list[LoggedRequest]:
        return [request for request in self._log.requests if request.host == host]

    def hosts_contacted(self) -> set[str]:
        """Every CONNECT (or proxied plain HTTP) target and every Host header seen, refused ones included."""
        hosts = {request.host for request in self._log.requests}
        hosts.update(connection.host for proxy in self.proxies for connection in proxy.connections)
        return hosts

    @property
    def media_delay(self) -> float:
        """Seconds each CDN answer waits before its first byte (0 by default)."""
        return self._app.media_delay

    @media_delay.setter
    def media_delay(self, seconds: float) -> None:
        self._app.media_delay = seconds

    @property
    def page_delay(self) -> float:
        """Seconds each www.tiktok.com answer waits (0 by default)."""
        return self._app.page_delay

    @page_delay.setter
    def page_delay(self, seconds: float) -> None:
        self._app.page_delay = seconds

    @property
    def site_changed(self) -> bool:
        """True: every post page moves its data where yt-dlp does not look, as a TikTok redesign would."""
        return self._app.site_changed

    @site_changed.setter
    def site_changed(self, changed: bool) -> None:
        self._app.site_changed = changed

    @property
    def concurrent_media_peak(self) -> int:
        return self._log.media_peak

    @property
    def concurrent_page_peak(self) -> int:
        """The most www.tiktok.com requests in progress at once since the last `reset_log`."""
        return self._log.page_peak

    def reset_log(self) -> None:
        self._log.clear()
        for proxy in self.proxies:
            proxy.connections.clear()
