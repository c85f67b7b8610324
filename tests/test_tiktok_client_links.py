"""Links through the fake TikTok: every shape reaches the right post, and nothing else is ever contacted."""

from __future__ import annotations

import pytest

from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient
from tiktok_api.exceptions import TikTokInvalidLinkError
from tiktok_api.links import ALLOWED_HOSTS, find_links
from tiktok_api.models import VideoInfo

POST_ID = "7350000000000000001"
PAGE_URL = f"https://www.tiktok.com/@alice/video/{POST_ID}"
# Hosts a client may talk to: the link hosts and TikTok's media CDNs (URLs from TikTok's own page).
TIKTOK_SUFFIXES = (".tiktok.com", ".tiktokcdn.com", ".tiktokcdn-us.com", ".tiktokv.com")


def only_tiktok_contacted(fake: FakeTikTok) -> bool:
    return all(host in ALLOWED_HOSTS or host.endswith(TIKTOK_SUFFIXES) for host in fake.hosts_contacted())


@pytest.mark.parametrize(
    "url",
    [
        PAGE_URL,
        f"https://www.tiktok.com/@alice/photo/{POST_ID}",
        f"https://m.tiktok.com/v/{POST_ID}.html",
        f"https://www.tiktok.com/embed/{POST_ID}",
        f"https://www.tiktok.com/embed/v2/{POST_ID}",
        f"https://www.tiktokv.com/share/video/{POST_ID}",
        f"https://www.tiktok.com/player/v1/{POST_ID}",
        f"https://www.tiktok.com/share/item?item_id={POST_ID}",
        f"tiktok.com/@alice/video/{POST_ID}",
    ],
)
async def test_every_link_shape_downloads_the_post(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, url: str
) -> None:
    fake_tiktok.add_video(POST_ID, author="alice")

    with await tiktok_client.video(url) as info:
        assert isinstance(info, VideoInfo)
        assert (info.id, info.url) == (POST_ID, PAGE_URL)
    assert only_tiktok_contacted(fake_tiktok)


@pytest.mark.parametrize("host", ["vm.tiktok.com", "vt.tiktok.com", "www.tiktok.com"])
async def test_short_links_resolve_one_hop_then_download(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, host: str
) -> None:
    fake_tiktok.add_video(POST_ID, author="alice")
    short_url = fake_tiktok.add_short_link("ZMabc123", to=f"{PAGE_URL}?_r=1&_t=ZM-8", host=host)

    with await tiktok_client.video(short_url) as info:
        assert info.id == POST_ID

    [hop] = [request for request in fake_tiktok.requests if request.host == host and "/video/" not in request.path]
    assert (hop.method, hop.status) == ("HEAD", 301)
    assert only_tiktok_contacted(fake_tiktok)


async def test_short_link_through_several_hops(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_short_link("hop3", to=PAGE_URL, host="www.tiktok.com")
    fake_tiktok.add_short_link("hop2", to="https://vt.tiktok.com/hop3/", host="vt.tiktok.com")
    fake_tiktok.add_short_link("hop3", to="https://www.tiktok.com/t/hop3/", host="vt.tiktok.com")
    first = fake_tiktok.add_short_link("hop1", to="https://vt.tiktok.com/hop2/")

    assert await tiktok_client.resolve_post_id(first) == POST_ID
    assert [(request.host, request.path) for request in fake_tiktok.requests] == [
        ("vm.tiktok.com", "/hop1/"),
        ("vt.tiktok.com", "/hop2/"),
        ("vt.tiktok.com", "/hop3/"),
        ("www.tiktok.com", "/t/hop3/"),
    ]


async def test_short_link_to_a_photo_post_resolves_to_its_id(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    post = fake_tiktok.add_slideshow(POST_ID)
    short_url = fake_tiktok.add_short_link("ZMphoto1", to=post.photo_url)

    assert await tiktok_client.resolve_post_id(short_url) == POST_ID


async def test_repeated_short_link_costs_no_request(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    short_url = fake_tiktok.add_short_link("ZMabc123", to=PAGE_URL)
    assert await tiktok_client.resolve_post_id(short_url) == POST_ID
    fake_tiktok.reset_log()

    assert await tiktok_client.resolve_post_id(short_url.rstrip("/")) == POST_ID
    assert not fake_tiktok.requests and not fake_tiktok.hosts_contacted()


async def test_links_hidden_in_text_are_found_and_resolved(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    fake_tiktok.add_short_link("ZMabc123", to=PAGE_URL)
    text = "lol look (vm.tiktok.com/ZMabc123/) and www.tiktok.com/@bob/video/7350000000000000009, bye"

    links = find_links(text)

    assert links == ["https://vm.tiktok.com/ZMabc123/", "https://www.tiktok.com/@bob/video/7350000000000000009"]
    assert [await tiktok_client.resolve_post_id(link) for link in links] == [POST_ID, "7350000000000000009"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/t/x?tiktok.com/",
        f"https://notiktok.com/@alice/video/{POST_ID}",
        f"https://www.tiktok.com@evil.example/@alice/video/{POST_ID}",
        "https://www.tiktok.com/@alice",
        "https://vm.tiktok.com/",
    ],
)
async def test_links_that_are_not_tiktok_posts_are_refused_without_any_request(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient, url: str
) -> None:
    with pytest.raises(TikTokInvalidLinkError):
        await tiktok_client.video(url)

    assert not fake_tiktok.hosts_contacted()


async def test_short_link_to_another_host_is_refused_before_that_host_is_asked(
    fake_tiktok: FakeTikTok, tiktok_client: TikTokClient
) -> None:
    evil_url = fake_tiktok.add_short_link("evil", to="https://evil.example/x")

    with pytest.raises(TikTokInvalidLinkError):
        await tiktok_client.video(evil_url)

    assert fake_tiktok.hosts_contacted() == {"vm.tiktok.com"}


async def test_short_link_to_a_lookalike_host_is_refused(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    url = fake_tiktok.add_short_link("look", to=f"https://www.tiktok.com.evil.example/@alice/video/{POST_ID}")

    with pytest.raises(TikTokInvalidLinkError):
        await tiktok_client.resolve_post_id(url)

    assert fake_tiktok.hosts_contacted() == {"vm.tiktok.com"}


async def test_redirect_loop_is_refused(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    fake_tiktok.add_short_link("loop1", to="https://vm.tiktok.com/loop2/")
    loop_url = fake_tiktok.add_short_link("loop2", to="https://vm.tiktok.com/loop1/")

    with pytest.raises(TikTokInvalidLinkError, match="loop"):
        await tiktok_client.video(loop_url)

    assert [request.path for request in fake_tiktok.requests] == ["/loop2/", "/loop1/"]
    assert fake_tiktok.hosts_contacted() == {"vm.tiktok.com"}


async def test_more_than_five_hops_are_refused(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    for hop in range(1, 8):
        fake_tiktok.add_short_link(f"chain{hop}", to=f"https://vm.tiktok.com/chain{hop + 1}/")

    with pytest.raises(TikTokInvalidLinkError, match="more than 5"):
        await tiktok_client.resolve_post_id("https://vm.tiktok.com/chain1/")

    assert len(fake_tiktok.requests) == 5


async def test_unknown_short_link_is_an_invalid_link(fake_tiktok: FakeTikTok, tiktok_client: TikTokClient) -> None:
    with pytest.raises(TikTokInvalidLinkError):
        await tiktok_client.video("https://vm.tiktok.com/ZMnothing/")

    [request] = fake_tiktok.requests
    assert (request.host, request.status) == ("vm.tiktok.com", 404)
