"""TikTok links: finding them in text, the allow-list of hosts, post ids and short-link codes. No network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

# Exact hosts only: anything else is not TikTok, whatever its path or query says.
ALLOWED_HOSTS: frozenset[str] = frozenset(
    {"tiktok.com", "www.tiktok.com", "m.tiktok.com", "vm.tiktok.com", "vt.tiktok.com", "www.tiktokv.com"}
)
SHORT_LINK_HOSTS: frozenset[str] = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
_WEB_HOSTS_WITH_SHORT_PATHS: frozenset[str] = frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"})
_DEFAULT_PORTS = (None, 80, 443)

# A URL-looking token: optional scheme, a dotted host, optional port and path. It must not start inside
# another token (an e-mail address, a query string) nor stop in the middle of a host (`tiktok.com@evil`).
_CANDIDATE = re.compile(
    r"(?<![\w@./?=&%+-])"
    r"(?:https?://)?"
    r"(?:[a-z0-9-]+\.)+[a-z]{2,}"
    r"(?::\d{1,5})?"
    r"(?:[/?#][^\s<>\"'«»]*)?"
    r"(?![\w@.:-])",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"»…"

_POST_PATHS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^/@[^/]*/(?:video|photo)/(\d{1,30})(?:/|$)"),
    re.compile(r"^/v/(\d{1,30})\.html$"),
    re.compile(r"^/embed/(?:v2/)?(\d{1,30})(?:/|$)"),
    re.compile(r"^/share/video/(\d{1,30})(?:/|$)"),
    re.compile(r"^/player/v1/(\d{1,30})(?:/|$)"),
)
_ITEM_ID = re.compile(r"^\d{1,30}$")
_SHORT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class ShortLink:
    """A short link's identity: the same host and code always lead to the same post."""

    host: str
    code: str

    @property
    def url(self) -> str:
        if self.host in SHORT_LINK_HOSTS:
            return f"https://{self.host}/{self.code}/"
        return f"https://{self.host}/t/{self.code}/"


def _split(url: str) -> SplitResult | None:
    """The parsed URL when it is an http(s) URL on an allowed TikTok host, else None."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username is not None or port not in _DEFAULT_PORTS:
        return None
    host = (parts.hostname or "").rstrip(".")
    if host not in ALLOWED_HOSTS:
        return None
    return parts


def is_tiktok_url(url: str) -> bool:
    """True when `url` (with or without scheme) points at an allowed TikTok host."""
    return _split(url) is not None


def find_links(text: str) -> list[str]:
    """Every TikTok URL in free text, in order and without repeats; scheme-less links get `https://`."""
    links: list[str] = []
    for match in _CANDIDATE.finditer(text or ""):
        candidate = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        if "://" not in candidate:
            candidate = "https://" + candidate
        if is_tiktok_url(candidate) and candidate not in links:
            links.append(candidate)
    return links


def extract_post_id(url: str) -> str | None:
    """The numeric post id a full TikTok link carries, or None (short links need resolving)."""
    parts = _split(url)
    if parts is None:
        return None
    for pattern in _POST_PATHS:
        if match := pattern.match(parts.path):
            return match.group(1)
    item_ids = parse_qs(parts.query).get("item_id", [])
    if item_ids and _ITEM_ID.match(item_ids[0]):
        return item_ids[0]
    return None


def short_link(url: str) -> ShortLink | None:
    """The short link (`vm.`/`vt.` code, or `/t/<code>` on the web host) `url` is, or None."""
    parts = _split(url)
    if parts is None:
        return None
    host = (parts.hostname or "").rstrip(".")
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in SHORT_LINK_HOSTS and len(segments) == 1:
        code = segments[0]
    elif host in _WEB_HOSTS_WITH_SHORT_PATHS and len(segments) == 2 and segments[0] == "t":
        code = segments[1]
    else:
        return None
    return ShortLink(host=host, code=code) if _SHORT_CODE.match(code) else None


def canonical_url(post_id: str, author: str | None = None) -> str:
    """The page URL of a post. Photo posts use the `/video/` shape too: the extractor rejects `/photo/`."""
    return f"https://www.tiktok.com/@{author or '_'}/video/{post_id}"
