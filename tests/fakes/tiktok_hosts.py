"""Host names the fake TikTok answers for, and the rule for which CONNECT targets a proxy may tunnel."""

from __future__ import annotations

TIKTOK_DOMAINS: tuple[str, ...] = ("tiktok.com", "tiktokv.com", "tiktokcdn.com", "tiktokcdn-us.com", "ttwstatic.com")

WEB_HOST = "www.tiktok.com"
SHORT_LINK_HOSTS: tuple[str, ...] = ("vm.tiktok.com", "vt.tiktok.com")
# The video CDN lives under tiktok.com on purpose: the page's `.tiktok.com` cookies (tt_chain_token)
# reach it, which is why the real one can demand that cookie.
VIDEO_HOST = "v16-webapp-prime.tiktok.com"
VIDEO_BACKUP_HOST = "v19-webapp-prime.tiktok.com"
IMAGE_HOST = "p16-sign.tiktokcdn-us.com"
MUSIC_HOST = "sf16-ies-music.tiktokcdn.com"

COOKIE_DOMAIN = ".tiktok.com"


def is_tiktok_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in TIKTOK_DOMAINS)


def host_without_port(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
