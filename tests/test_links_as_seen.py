"""Links as a person sees them: invisible and typographic characters glued to a link do not cut it wrongly,
and a host that only looks like TikTok's is still refused."""

from __future__ import annotations

import pytest

from tests.bot_checks import video_rows
from tiktok_api.links import find_links

SHORT = "https://vm.tiktok.com/ZMabc123/"
POST = "https://www.tiktok.com/@alice/video/7350000000000000001"

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "pop directional formatting": "\u202c",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "soft hyphen": "\u00ad",
    "variation selector": "\ufe0f",
}
SPACES = {
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
    "figure space": "\u2007",
    "ideographic space": "\u3000",
}
WRAPPERS = {
    "guillemets": ("«", "»"),
    "english quotes": ("\u201c", "\u201d"),
    "single quotes": ("\u2018", "\u2019"),
    "german quotes": ("\u201e", "\u201c"),
    "single guillemets": ("\u2039", "\u203a"),
    "full-width parentheses": ("（", "）"),
    "lenticular brackets": ("【", "】"),
    "corner brackets": ("「", "」"),
    "white corner brackets": ("『", "』"),
    "double angle brackets": ("《", "》"),
    "full-width square brackets": ("［", "］"),
    "ascii parentheses": ("(", ")"),
    "ascii quotes": ('"', '"'),
}
AFTER = {
    "ellipsis": "…",
    "three dots": "...",
    "full-width comma": "，",
    "ideographic comma": "、",
    "ideographic full stop": "。",
    "full-width exclamation": "！",
    "full-width question": "？",
    "full-width colon": "：",
    "full-width semicolon": "；",
    "chinese words": "点击观看",
    "em dash": "—",
    "emoji": "🔥",
}


def shapes() -> list[tuple[str, str, str]]:
    cases: list[tuple[str, str, str]] = []
    for name, mark in INVISIBLE.items():
        cases += [
            (f"{name} on both sides", f"look{mark}{SHORT}{mark}", SHORT),
            (f"{name} before, then a space", f"{mark}{SHORT} wow", SHORT),
            (f"{name} inside the host", SHORT.replace("tiktok.", f"tik{mark}tok."), SHORT),
            (f"{name} inside the path", POST.replace("video/", f"vi{mark}deo/{mark}"), POST),
            (f"{name} before a scheme-less link", f"see{mark}{POST.removeprefix('https://')}", POST),
        ]
    for name, space in SPACES.items():
        cases.append((name, f"look{space}{SHORT}{space}now", SHORT))
    for name, (opening, closing) in WRAPPERS.items():
        cases += [
            (name, f"{opening}{SHORT}{closing}", SHORT),
            (f"{name}, scheme-less", f"{opening}{POST.removeprefix('https://')}{closing}", POST),
            (f"{name} with invisible marks", f"{opening}\u200e{POST}\u200f{closing}.", POST),
        ]
    for name, mark in AFTER.items():
        cases.append((f"{name} after", f"{SHORT}{mark}", SHORT))
        cases.append((f"{name} after a post link", f"{POST}{mark}", POST))
    cases += [
        ("chinese share text glued before the scheme", f"复制此链接{SHORT}打开", SHORT),
        ("full-width colon before", f"链接：{POST}。", POST),
        ("bidi isolate around a whole sentence", f"\u2067שלום {SHORT}\u2069", SHORT),
        ("a query kept, a bracket dropped", f"【{POST}?lang=en】", f"{POST}?lang=en"),
    ]
    return cases


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in shapes()], ids=[case[0] for case in shapes()])
def test_a_link_glued_to_invisible_or_typographic_characters_is_found_whole(text: str, expected: str) -> None:
    assert find_links(text) == [expected]


LOOK_ALIKES = {
    "cyrillic i": "https://www.t\u0456ktok.com/@a/video/1",
    "cyrillic o": "https://vm.tikt\u043ek.com/ZMabc/",
    "kelvin sign folding to k": "https://vm.ti\u212atok.com/ZMabc/",
    "long s": "https://vm.tiktok.com\u017f/ZMabc/",
    "dotless i": "https://www.t\u0131ktok.com/@a/video/1",
    "full-width letters": "https://ｗｗｗ.ｔｉｋｔｏｋ.ｃｏｍ/@a/video/1",
    "full-width host before a dot": "ｖｍ．tiktok.com/ZMabc/",
    "ideographic full stop as a dot": "vm。tiktok.com/ZMabc/",
    "ideographic full stops only": "https://vm。tiktok。com/ZMabc/",
    "punycode of a look-alike": "https://www.xn--tktok-4ya.com/@a/video/1",
    "tiktok as a subdomain": "https://tiktok.com.evil.example/@a/video/1",
    "tiktok as a subdomain behind a zero-width space": "https://tiktok.com\u200b.evil.example/@a/video/1",
    "a longer host glued with a soft hyphen": "https://www.tiktok\u00ad-evil.com/@a/video/1",
    "tiktok as user info": "https://www.tiktok.com@evil.example/x",
    "an e-mail address behind a zero-width space": "bob@\u200btiktok.com",
    "inside a query behind a zero-width space": "https://evil.example/?u=\u200bhttps://vm.tiktok.com/ZMabc/",
    "a look-alike in a text_link-like word": "смотри vm.tiktok.соm/ZMabc/",
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_host_that_only_looks_like_tiktok_is_refused(text: str) -> None:
    assert find_links(text) == []


def test_several_glued_links_come_out_in_reading_order() -> None:
    text = f"«{SHORT}»，【{POST}】\u200b…{SHORT}"

    assert find_links(text) == [SHORT, POST]


USER = 1021
POSTS = ["7350000000000002101", "7350000000000002102"]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_a_link_wrapped_in_invisible_and_typographic_characters_gets_its_video(
    fake_telegram, fake_tiktok, start_bot, db_sessions
) -> None:
    first, second = (fake_tiktok.add_video(post_id) for post_id in POSTS)
    await start_bot()
    # Copied from an app: an isolate, typographic quotes and a zero-width space around the link, an emoji
    # (two UTF-16 code units) before a hyperlinked word, whose entity offset counts in UTF-16.
    hyphenated = first.url.replace("video/", "vi\u00addeo/")
    before = f"🔥 look\u200b\u2068“{hyphenated}”\u2069\u200b… and 【"
    entity = {"type": "text_link", "offset": utf16_length(before), "length": 4, "url": second.url}

    message = fake_telegram.send_message(USER, f"{before}this】！", entities=[entity])
    videos = await fake_telegram.wait_for_calls("sendVideo", 2, timeout=60)

    assert [call.file("video").data for call in videos] == [first.h264.read(), second.h264.read()]
    assert all(call.params["reply_parameters"]["message_id"] == message["message_id"] for call in videos)
    rows = await video_rows(db_sessions, count=2)
    assert sorted(row.video_id for row in rows) == POSTS
