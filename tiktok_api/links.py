"""TikTok links: finding them in text, the allow-list of hosts, post ids and short-link codes. No network."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

# Exact hosts only: anything else is not TikTok, whatever its path or query says.
ALLOWED_HOSTS: frozenset[str] = frozenset(
    {"tiktok.com", "www.tiktok.com", "m.tiktok.com", "vm.tiktok.com", "vt.tiktok.com", "www.tiktokv.com"}
)
SHORT_LINK_HOSTS: frozenset[str] = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
_WEB_HOSTS_WITH_SHORT_PATHS: frozenset[str] = frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"})
_DEFAULT_PORTS = (None, 80, 443)

# A URL-looking token: optional scheme, a dotted host, optional port and path. TikTok's links are ASCII, so
# the path ends at the first space or non-ASCII character: typographic quotes, brackets, ellipses and
# full-width punctuation right against a link are not part of it (`(?-i:`: case folding would let
# non-ASCII letters such as `İ` into the class). A host must not be followed by more host.
_CANDIDATE = re.compile(
    r"(?P<scheme>https?://)?"
    r"(?:[a-z0-9-]+\.)+[a-z]{2,}"
    r"(?::\d{1,5})?"
    r"(?:(?-i:[/?#][^\x00-\x20\x7f-\U0010ffff<>\"'`]*)|(?![\w@.:-]))",
    re.IGNORECASE,
)
# A token starting right after one of these is inside another token (an e-mail address, a query string, a
# longer host); the ideographic and full-width stops are dots to IDNA, so `ｖｍ．tiktok.com` is a longer host.
_INSIDE_A_TOKEN = "@./?=&%+-\u3002\uff0e\uff61\uff20"
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"`"

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
    """Every TikTok URL in free text as a person sees it, in order and without repeats; scheme-less links
    get `https://`. Invisible characters (zero-width, BOM, bidi marks, soft hyphens) do not count."""
    seen, gaps = _as_seen(text or "")
    links: list[str] = []
    position = 0
    while match := _CANDIDATE.search(seen, position):
        start = match.start()
        if not _starts_a_token(seen, start, has_scheme=match["scheme"] is not None, after_gap=start in gaps):
            position = start + 1
            continue
        candidate = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        if "://" not in candidate:
            candidate = "https://" + candidate
        # not ASCII: a look-alike letter (the Kelvin sign folds to "k") makes another host
        if candidate.isascii() and is_tiktok_url(candidate):
            if candidate not in links:
                links.append(candidate)
            position = match.end()
        else:
            # An invisible break inside the token may end a word glued to the link: look again from there.
            position = min((gap for gap in gaps if start < gap < match.end()), default=match.end())
    return links


def _as_seen(text: str) -> tuple[str, set[int]]:
    """`text` without the characters nobody sees, and the positions in it where one was taken out."""
    if text.isascii():
        return text, set()
    kept: list[str] = []
    gaps: set[int] = set()
    for character in text:
        if unicodedata.category(character) == "Cf" or "\ufe00" <= character <= "\ufe0f":
            gaps.add(len(kept))
        else:
            kept.append(character)
    return "".join(kept), gaps


def _starts_a_token(text: str, start: int, *, has_scheme: bool, after_gap: bool) -> bool:
    """Whether a link may begin at `start`: not inside another token. A letter right before it is the end
    of a word when an invisible break separates them, or (before an explicit scheme) when it is not ASCII,
    as in Chinese share texts that glue `复制链接https://…`."""
    if start == 0:
        return True
    before = text[start - 1]
    if before in _INSIDE_A_TOKEN:
        return False
    if before.isalnum() or before == "_":
        return after_gap or (has_scheme and not before.isascii())
    return True


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
