"""HTML the fake's www.tiktok.com answers with: post pages, the WAF challenge, the login page."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
from typing import Any

# statusMsg next to statusCode in `webapp.video-detail`; 10204's is TikTok's wording, the rest are stand-ins
# (yt-dlp and our client only read the code).
STATUS_MESSAGES: dict[int, str] = {
    0: "ok",
    10204: "item doesn't exist",
    10216: "item is private",
    10222: "author is private",
    10231: "item is not available in your region",
}

WAF_COOKIE = "_wafchallengeid"
WAF_ORIGIN_COOKIE = "waforiginalreid"


def _script_json(data: Any) -> str:
    """JSON as real pages embed it: "/" escaped as \\u002F (and "<" so no "</script>" can appear)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("/", "\\u002F").replace("<", "\\u003C")


def video_detail(status_code: int, item: dict[str, Any] | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"statusCode": status_code, "statusMsg": STATUS_MESSAGES.get(status_code, "")}
    if item is not None:
        detail["itemInfo"] = {"itemStruct": item}
        detail["shareMeta"] = {"title": item.get("desc", ""), "desc": item.get("desc", "")}
    return detail


def post_page(detail: dict[str, Any], title: str) -> bytes:
    universal = {
        "__DEFAULT_SCOPE__": {
            "webapp.app-context": {"language": "en", "region": "US", "appId": 1233, "user": {}},
            "webapp.video-detail": detail,
        }
    }
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="UTF-8"/>'
        f"<title>{html.escape(title)} | TikTok</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"/></head>'
        '<body><div id="app"></div>'
        '<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
        f"{_script_json(universal)}</script></body></html>"
    )
    return page.encode()


def redesigned_post_page(detail: dict[str, Any], title: str) -> bytes:
    """The same post after a site change: the data moved to a script yt-dlp does not know."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="UTF-8"/>'
        f"<title>{html.escape(title)} | TikTok</title></head>"
        '<body><div id="app"></div>'
        '<script id="__NEXT_APP_STATE__" type="application/json">'
        f"{_script_json({'videoDetail': detail})}</script></body></html>"
    )
    return page.encode()


LOGIN_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charSet="UTF-8"/><title>Log in | TikTok</title></head>'
    b'<body><div id="loginContainer">Log in to TikTok</div></body></html>'
)

HOME_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charSet="UTF-8"/><title>TikTok - Make Your Day</title></head>'
    b'<body><div id="app"></div></body></html>'
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class WafChallenges:
    """TikTok's "Please wait..." proof of work: find i with sha256(a + str(i)) == c.

    The page carries the challenge as base64 JSON in the class of `id="cs"` and the cookie name in
    `id="wci"`; the client answers with that cookie holding the challenge JSON plus "d" = base64(str(i)).
    """

    def __init__(self) -> None:
        self._issued: dict[str, bytes] = {}  # base64 a → expected digest

    def page(self) -> bytes:
        base = secrets.token_bytes(16)
        answer = 1000 + secrets.randbelow(20_000)  # small, so solving costs milliseconds
        digest = hashlib.sha256(base + str(answer).encode()).digest()
        self._issued[_b64(base)] = digest
        challenge = {"v": {"a": _b64(base), "b": 1, "c": _b64(digest)}, "s": secrets.token_hex(8), "e": 1}
        encoded = _b64(json.dumps(challenge, separators=(",", ":")).encode()).rstrip("=")
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Please wait...</title></head><body>'
            f'<p id="cs" class="{encoded}"></p>'
            f'<p id="wci" class="{WAF_COOKIE}"></p>'
            f'<p id="rci" class="{WAF_ORIGIN_COOKIE}"></p>'
            f'<p id="rs" class="{secrets.token_hex(16)}"></p>'
            "<div>Please wait...</div>"
            "<script>/* the browser solves the proof of work and reloads */</script>"
            "</body></html>"
        )
        return page.encode()

    def is_solved(self, cookie_value: str | None) -> bool:
        if not cookie_value:
            return False
        try:
            answer = json.loads(base64.b64decode(cookie_value + "==="))
            expected = self._issued.get(answer["v"]["a"])
            number = base64.b64decode(answer["d"])
        except (ValueError, KeyError, TypeError):
            return False
        if expected is None:
            return False
        return hashlib.sha256(base64.b64decode(answer["v"]["a"]) + number).digest() == expected
