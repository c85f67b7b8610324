"""Link parsing without network: which text holds TikTok links, which post id a link carries."""

from __future__ import annotations

import pytest

from tiktok_api.links import ShortLink, canonical_url, extract_post_id, find_links, is_tiktok_url, short_link

POST_ID = "7350000000000000001"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.tiktok.com/@alice/video/{POST_ID}",
        f"https://www.tiktok.com/@alice/video/{POST_ID}?is_from_webapp=1&sender_device=pc",
        f"https://www.tiktok.com/@alice/photo/{POST_ID}",
        f"https://www.tiktok.com/@/video/{POST_ID}/",
        f"https://tiktok.com/@al.ice_99/video/{POST_ID}",
        f"https://m.tiktok.com/v/{POST_ID}.html",
        f"https://www.tiktok.com/embed/{POST_ID}",
        f"https://www.tiktok.com/embed/v2/{POST_ID}",
        f"https://www.tiktokv.com/share/video/{POST_ID}/",
        f"https://www.tiktok.com/player/v1/{POST_ID}?autoplay=1",
        f"https://m.tiktok.com/share/item?item_id={POST_ID}&u_code=x",
        f"http://www.tiktok.com/@alice/video/{POST_ID}",
        f"www.tiktok.com/@alice/video/{POST_ID}",
        f"tiktok.com/@alice/video/{POST_ID}",
        f"HTTPS://WWW.TIKTOK.COM/@Alice/video/{POST_ID}",
    ],
)
def test_every_link_shape_gives_the_post_id(url: str) -> None:
    assert extract_post_id(url) == POST_ID


@pytest.mark.parametrize(
    "url",
    [
        f"https://evil.example/@alice/video/{POST_ID}",
        f"https://notiktok.com/@alice/video/{POST_ID}",
        f"https://tiktok.com.evil.example/@alice/video/{POST_ID}",
        f"https://www.tiktok.com@evil.example/@alice/video/{POST_ID}",
        f"https://user:secret@www.tiktok.com/@alice/video/{POST_ID}",
        f"https://evil.example/t/x?u=https://www.tiktok.com/@alice/video/{POST_ID}",
        f"https://www.tiktok.com:8443/@alice/video/{POST_ID}",
        f"https://x.tiktok.com/@alice/video/{POST_ID}",
        f"ftp://www.tiktok.com/@alice/video/{POST_ID}",
        f"javascript://www.tiktok.com/@alice/video/{POST_ID}",
    ],
)
def test_hosts_outside_the_allow_list_carry_no_post_id(url: str) -> None:
    assert extract_post_id(url) is None
    assert not is_tiktok_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://vm.tiktok.com/ZMabc123/",
        "https://vt.tiktok.com/ZSabc123",
        "https://www.tiktok.com/t/ZTabc123/",
        "https://www.tiktok.com/@alice",
        "https://www.tiktok.com/@alice/video/not-a-number",
        "https://www.tiktok.com/",
    ],
)
def test_links_without_an_id_in_them_need_resolving(url: str) -> None:
    assert is_tiktok_url(url)
    assert extract_post_id(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vm.tiktok.com/ZMabc123/", ShortLink("vm.tiktok.com", "ZMabc123")),
        ("vt.tiktok.com/ZSabc-12_3", ShortLink("vt.tiktok.com", "ZSabc-12_3")),
        ("https://www.tiktok.com/t/ZTabc123/?share=1", ShortLink("www.tiktok.com", "ZTabc123")),
        ("https://www.tiktok.com/@alice", None),
        ("https://vm.tiktok.com/", None),
        ("https://vm.tiktok.com/a/b/", None),
        ("https://evil.example/t/ZTabc123/", None),
    ],
)
def test_short_links_are_known_by_host_and_code(url: str, expected: ShortLink | None) -> None:
    assert short_link(url) == expected


def test_short_link_url_is_the_canonical_https_form() -> None:
    assert ShortLink("vm.tiktok.com", "ZMabc").url == "https://vm.tiktok.com/ZMabc/"
    assert ShortLink("www.tiktok.com", "ZTabc").url == "https://www.tiktok.com/t/ZTabc/"


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (
            f"look at this https://www.tiktok.com/@alice/video/{POST_ID}?lang=en !!",
            [f"https://www.tiktok.com/@alice/video/{POST_ID}?lang=en"],
        ),
        ("vm.tiktok.com/ZMabc123/", ["https://vm.tiktok.com/ZMabc123/"]),
        ("(tiktok.com/@a/video/1).", ["https://tiktok.com/@a/video/1"]),
        ("«https://vt.tiktok.com/ZS1/»", ["https://vt.tiktok.com/ZS1/"]),
        ("link:https://vm.tiktok.com/abc", ["https://vm.tiktok.com/abc"]),
        (
            "two: https://vm.tiktok.com/A/ and\nhttps://www.tiktok.com/t/B/ and again https://vm.tiktok.com/A/",
            ["https://vm.tiktok.com/A/", "https://www.tiktok.com/t/B/"],
        ),
        ("https://evil.example/t/x?tiktok.com/", []),
        ("https://evil.example/redirect?to=https://vm.tiktok.com/ZMabc/", []),
        (f"https://notiktok.com/@alice/video/{POST_ID}", []),
        ("write to bob@tiktok.com please", []),
        ("https://www.tiktok.com@evil.example/x", []),
        ("tiktok.com.evil.example/@a/video/1", []),
        ("no links here, just tiktok and com", []),
        ("", []),
    ],
)
def test_find_links_in_text(text: str, links: list[str]) -> None:
    assert find_links(text) == links


def test_found_links_always_carry_a_scheme_and_an_allowed_host() -> None:
    text = (
        "a www.tiktok.com/@a/video/1 b m.tiktok.com/v/2.html c evil.example/@a/video/3 d www.tiktokv.com/share/video/4"
    )

    assert find_links(text) == [
        "https://www.tiktok.com/@a/video/1",
        "https://m.tiktok.com/v/2.html",
        "https://www.tiktokv.com/share/video/4",
    ]
    assert [extract_post_id(link) for link in find_links(text)] == ["1", "2", "4"]


def test_canonical_url_uses_the_video_shape_for_every_post() -> None:
    assert canonical_url(POST_ID, "alice") == f"https://www.tiktok.com/@alice/video/{POST_ID}"
    assert canonical_url(POST_ID) == f"https://www.tiktok.com/@_/video/{POST_ID}"
