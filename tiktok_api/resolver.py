"""Part 1: short links to post ids, one redirect at a time, each hop checked against the allow-list."""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urljoin, urlsplit, urlunsplit

from tiktok_api.downloader import Downloader
from tiktok_api.exceptions import TikTokInvalidLinkError
from tiktok_api.links import ShortLink, extract_post_id, is_tiktok_url, short_link
from tiktok_api.proxies import Proxy, ProxySession
from tiktok_api.retry import with_retries

MAX_HOPS = 5


def _https(url: str) -> str:
    """TLS to TikTok always: a hop to http:// on an allowed host is taken over https."""
    parts = urlsplit(url)
    return urlunsplit(("https", parts.netloc, parts.path, parts.query, ""))


class ShortLinkResolver:
    """Resolves short links through the flow's proxy; remembers recent codes so repeats cost nothing."""

    def __init__(self, downloader: Downloader, attempts: int, cache_size: int = 4096) -> None:
        self._downloader = downloader
        self._attempts = attempts
        self._cache: OrderedDict[ShortLink, str] = OrderedDict()
        self._cache_size = cache_size

    async def resolve(self, url: str, session: ProxySession) -> str:
        post_id = extract_post_id(url)
        if post_id is not None:
            return post_id
        link = short_link(url)
        if link is None:
            raise TikTokInvalidLinkError("This is not a link to a TikTok post")
        cached = self._cache.get(link)
        if cached is not None:
            self._cache.move_to_end(link)
            return cached

        async def follow(proxy: Proxy) -> str:
            return await self._follow(link, proxy)

        post_id = await with_retries("resolve", self._attempts, session, follow)
        self._remember(link, post_id)
        return post_id

    async def _follow(self, link: ShortLink, proxy: Proxy) -> str:
        url = link.url
        seen: set[str] = set()
        for _ in range(MAX_HOPS):
            seen.add(url)
            hop = await self._downloader.redirect(url, proxy)
            if hop.location is None:
                raise TikTokInvalidLinkError(f"The short link led nowhere (HTTP {hop.status})")
            target = urljoin(url, hop.location)
            if not is_tiktok_url(target):
                raise TikTokInvalidLinkError("The short link leads outside TikTok")
            post_id = extract_post_id(target)
            if post_id is not None:
                return post_id
            url = _https(target)
            if url in seen:
                raise TikTokInvalidLinkError("The short link redirects in a loop")
        raise TikTokInvalidLinkError(f"The short link redirects more than {MAX_HOPS} times")

    def _remember(self, link: ShortLink, post_id: str) -> None:
        self._cache[link] = post_id
        self._cache.move_to_end(link)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
