"""The aiohttp app behind the fake's TLS and plain ports; it routes on the Host header."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from tests.fakes.proxy import TunnelRegistry
from tests.fakes.tiktok_content import Catalog, CdnObject, Post, WafMode
from tests.fakes.tiktok_hosts import COOKIE_DOMAIN, SHORT_LINK_HOSTS, WEB_HOST, host_without_port
from tests.fakes.tiktok_log import LoggedRequest, RequestLog
from tests.fakes.tiktok_pages import (
    HOME_PAGE,
    LOGIN_PAGE,
    WAF_COOKIE,
    WafChallenges,
    post_page,
    redesigned_post_page,
    video_detail,
)

_POST_PATH = re.compile(r"^/@([\w.-]*)/(video|photo)/(\d+)/?$")
_SHORT_PATH = re.compile(r"^/t/(\w+)/?$")
_SHORT_HOST_PATH = re.compile(r"^/(\w+)/?$")
_MOBILE_PATH = re.compile(r"^/v/(\d+)(?:\.html)?/?$")
_WWW_ALIASES = frozenset({"tiktok.com", "m.tiktok.com"})
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_HTML = "text/html; charset=utf-8"
_YEAR = 365 * 24 * 3600

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ChainTokens:
    """tt_chain_token values the pages handed out; the video CDN accepts only these."""

    def __init__(self) -> None:
        self._issued: set[str] = set()

    def issue(self) -> str:
        value = secrets.token_urlsafe(18)
        self._issued.add(value)
        return value

    def is_valid(self, value: str | None) -> bool:
        return value is not None and value in self._issued


def _raw_cookie(request: web.Request, name: str) -> str | None:
    """Read one cookie without a cookie parser: WAF answers are base64 with "=", "+" and "/"."""
    for part in request.headers.get("Cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class FakeTikTokApp:
    def __init__(self, catalog: Catalog, tunnels: TunnelRegistry, log: RequestLog) -> None:
        self.catalog = catalog
        self.tunnels = tunnels
        self.log = log
        self.chain_tokens = ChainTokens()
        self.waf = WafChallenges()
        # Seconds every CDN answer waits before its first byte: keeps a download in progress for a test.
        self.media_delay = 0.0
        # Seconds every www.tiktok.com answer waits: keeps page reads in progress long enough to count them.
        self.page_delay = 0.0
        # True: every post page has the layout of a site change (no post data where yt-dlp looks).
        self.site_changed = False

    def build(self) -> web.Application:
        app = web.Application(middlewares=[self._observe], client_max_size=1024**2)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        return app

    # --- cross-cutting: log every request, apply the proxy's upstream_status ---
    @web.middleware
    async def _observe(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        tunnel = None
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            tunnel = self.tunnels.lookup(peer[1])
        entry = LoggedRequest(
            host=host_without_port(request.host).lower(),
            method=request.method,
            path=request.path,
            query=request.query_string,
            headers={name.title(): value for name, value in request.headers.items()},
            cookies=dict(request.cookies),
            proxy=tunnel.proxy.name if tunnel else None,
            tls=tunnel.connection.tls if tunnel else None,
        )
        self.log.requests.append(entry)
        try:
            blocked = tunnel.proxy.status_for(entry.host) if tunnel else None
            if blocked:
                response: web.StreamResponse = self._blocked(blocked)
            else:
                response = await handler(request)
        except web.HTTPException as error:
            entry.status = error.status
            raise
        entry.status = response.status
        return response

    @staticmethod
    def _blocked(status: int) -> web.Response:
        headers = {"Retry-After": "30"} if status == 429 else {}
        return web.Response(status=status, text="Access Denied", headers=headers)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = host_without_port(request.host).lower()
        if host == WEB_HOST:
            self.log.page_started()
            try:
                if self.page_delay:
                    await asyncio.sleep(self.page_delay)
                return self._web(request)
            finally:
                self.log.page_finished()
        if host in SHORT_LINK_HOSTS:
            return self._short_link(host, _SHORT_HOST_PATH.match(request.path))
        if host in _WWW_ALIASES:
            raise web.HTTPMovedPermanently(self._www_location(request))
        cdn_object = self.catalog.cdn.get((host, request.path))
        if cdn_object is None:
            raise web.HTTPNotFound()
        return await self._serve_media(request, cdn_object)

    @staticmethod
    def _www_location(request: web.Request) -> str:
        if match := _MOBILE_PATH.match(request.path):  # old m.tiktok.com/v/<id>.html share links
            return f"https://{WEB_HOST}/@/video/{match.group(1)}"
        return f"https://{WEB_HOST}{request.path_qs}"

    # --- www.tiktok.com ---
    def _web(self, request: web.Request) -> web.StreamResponse:
        if match := _POST_PATH.match(request.path):
            return self._post_page(request, match.group(3))
        if match := _SHORT_PATH.match(request.path):
            return self._short_link(WEB_HOST, match)
        if request.path.rstrip("/") == "/login":
            return web.Response(body=LOGIN_PAGE, content_type="text/html", charset="utf-8")
        if request.path == "/":
            return web.Response(body=HOME_PAGE, content_type="text/html", charset="utf-8")
        raise web.HTTPNotFound()

    def _post_page(self, request: web.Request, post_id: str) -> web.StreamResponse:
        post = self.catalog.posts.get(post_id)
        if post is None:
            return self._page(request, post_page(video_detail(10204), "TikTok"))
        if post.login_redirect:
            target = quote(f"https://{WEB_HOST}{request.path}", safe="")
            raise web.HTTPFound(f"https://{WEB_HOST}/login?redirect_url={target}&lang=en&enter_method=mandatory")
        if self._challenge_pending(request, post):
            return web.Response(body=self.waf.page(), headers={"Content-Type": _HTML})
        if self.site_changed:
            return self._page(request, redesigned_post_page(video_detail(post.status_code, post.item), post.desc))
        return self._page(request, post.page)

    def _challenge_pending(self, request: web.Request, post: Post) -> bool:
        if post.waf is WafMode.FOREVER:
            return True
        return post.waf is WafMode.ONCE and not self.waf.is_solved(_raw_cookie(request, WAF_COOKIE))

    def _page(self, request: web.Request, body: bytes) -> web.Response:
        response = web.Response(body=body, headers={"Content-Type": _HTML})
        if not self.chain_tokens.is_valid(request.cookies.get("tt_chain_token")):
            response.set_cookie(
                "tt_chain_token", self.chain_tokens.issue(), domain=COOKIE_DOMAIN, path="/",
                max_age=_YEAR // 2, secure=True, httponly=True,
            )  # fmt: skip
        if "ttwid" not in request.cookies:
            response.set_cookie(
                "ttwid", f"1|{secrets.token_urlsafe(24)}|{secrets.token_hex(16)}", domain=COOKIE_DOMAIN,
                path="/", max_age=_YEAR, secure=True, httponly=True,
            )  # fmt: skip
        response.set_cookie(
            "msToken", secrets.token_urlsafe(96), domain=COOKIE_DOMAIN, path="/", max_age=10 * 24 * 3600,
            secure=True, samesite="None",
        )  # fmt: skip
        return response

    def _short_link(self, host: str, match: re.Match[str] | None) -> web.StreamResponse:
        link = self.catalog.short_links.get((host, match.group(1))) if match else None
        if link is None:
            raise web.HTTPNotFound()
        return web.Response(status=link.status, headers={"Location": link.target})

    # --- CDN hosts ---
    async def _serve_media(self, request: web.Request, cdn_object: CdnObject) -> web.StreamResponse:
        if cdn_object.requires_chain_token and not self.chain_tokens.is_valid(request.cookies.get("tt_chain_token")):
            return web.Response(status=403, text="Access Denied")
        blob = cdn_object.blob
        start, end = 0, blob.size
        status = 200
        headers = {"Content-Type": blob.content_type, "Accept-Ranges": "bytes", "Cache-Control": "max-age=3600"}
        if byte_range := request.headers.get("Range"):
            parsed = _parse_range(byte_range, blob.size)
            if parsed is None:
                return web.Response(status=416, headers={"Content-Range": f"bytes */{blob.size}"})
            start, end = parsed
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{blob.size}"
        response = web.StreamResponse(status=status, headers=headers)
        response.content_length = end - start
        self.log.media_started()
        try:
            if self.media_delay:
                await asyncio.sleep(self.media_delay)
            await response.prepare(request)
            if request.method != "HEAD":
                for piece in blob.chunks(start, end):
                    await response.write(piece)
            await response.write_eof()
        finally:
            self.log.media_finished()
        return response


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=a-b` range, None when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    if not match.group(1):
        suffix = int(match.group(2))
        return (max(size - suffix, 0), size) if suffix else None
    start = int(match.group(1))
    end = min(int(match.group(2)) + 1, size) if match.group(2) else size
    return (start, end) if start < end else None
