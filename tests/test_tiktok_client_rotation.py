"""ProxyRotation and PROXY_FILE parsing on their own (no network; time is a clock the test turns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiktok_api.proxies import DIRECT, Proxy, ProxyFileError, ProxyRotation, ProxySession, parse_proxy_lines


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


A, B, C = Proxy("http://10.0.0.1:8080"), Proxy("http://10.0.0.2:8080"), Proxy("socks5://10.0.0.3:1080")


def rotation(clock: Clock, *proxies: Proxy) -> ProxyRotation:
    return ProxyRotation(proxies or (A, B, C), rest_seconds=30, max_rest_seconds=100, clock=clock)


def test_proxy_file_lines_comments_and_blanks() -> None:
    text = (
        "# our proxies\n\nhttp://user:p%23ss@10.0.0.1:8080\n  socks5://10.0.0.3:1080   # backup\nhttps://10.0.0.4:443\n"
    )

    proxies = parse_proxy_lines(text)

    assert [proxy.url for proxy in proxies] == [
        "http://user:p%23ss@10.0.0.1:8080",
        "socks5://10.0.0.3:1080",
        "https://10.0.0.4:443",
    ]
    assert [proxy.name for proxy in proxies] == [
        "http://10.0.0.1:8080",
        "socks5://10.0.0.3:1080",
        "https://10.0.0.4:443",
    ]


@pytest.mark.parametrize("line", ["10.0.0.1:8080", "ftp://10.0.0.1:21", "http://user:secret@10.0.0.1", "http://:80"])
def test_a_bad_proxy_line_is_named_without_its_credentials(line: str) -> None:
    with pytest.raises(ProxyFileError) as raised:
        parse_proxy_lines(f"http://10.0.0.9:1\n{line}\n", source="proxies.txt")

    assert "proxies.txt line 2" in str(raised.value)
    assert "secret" not in str(raised.value)


def test_proxies_never_show_their_credentials() -> None:
    proxy = Proxy("http://alice:hunter2@proxy.example:3128")

    assert "hunter2" not in f"{proxy} {proxy!r} {proxy.name}"
    assert "alice" not in f"{proxy} {proxy!r} {proxy.name}"
    assert str(DIRECT) == "direct"


def test_rotation_without_proxies_goes_direct(tmp_path: Path) -> None:
    empty = tmp_path / "proxies.txt"
    empty.write_text("# none yet\n")

    assert ProxyRotation.from_file(None).proxies == [DIRECT]
    assert ProxyRotation.from_file(empty).proxies == [DIRECT]


def test_direct_connection_joins_the_rotation_when_asked(tmp_path: Path) -> None:
    proxy_file = tmp_path / "proxies.txt"
    proxy_file.write_text("http://10.0.0.1:8080\n")

    assert ProxyRotation.from_file(proxy_file, include_direct=True).proxies == [DIRECT, A]
    assert ProxyRotation.from_file(proxy_file).proxies == [A]


def test_round_robin() -> None:
    proxies = rotation(Clock())

    assert [proxies.acquire() for _ in range(4)] == [A, B, C, A]


def test_three_failures_in_a_row_rest_a_proxy_then_it_comes_back() -> None:
    clock = Clock()
    proxies = rotation(clock)
    for _ in range(3):
        proxies.report_failure(A)

    assert proxies.is_resting(A)
    assert [proxies.acquire() for _ in range(4)] == [B, C, B, C]
    clock.now += 31
    assert not proxies.is_resting(A)
    assert A in [proxies.acquire() for _ in range(3)]


def test_rest_doubles_while_a_proxy_keeps_failing_up_to_a_cap() -> None:
    clock = Clock()
    proxies = rotation(clock)
    rests = []
    for _ in range(4):
        for _ in range(3):
            proxies.report_failure(A)
        started = clock.now
        while proxies.is_resting(A):
            clock.now += 1
        rests.append(clock.now - started)

    assert rests == [30, 60, 100, 100]


def test_a_success_forgives_earlier_failures() -> None:
    clock = Clock()
    proxies = rotation(clock)
    proxies.report_failure(A)
    proxies.report_failure(A)
    proxies.report_success(A)
    proxies.report_failure(A)

    assert not proxies.is_resting(A)


def test_when_all_rest_the_one_that_wakes_first_is_handed_out() -> None:
    clock = Clock()
    proxies = rotation(clock)
    for proxy in (B, A, C):
        for _ in range(3):
            proxies.report_failure(proxy)
        clock.now += 1

    assert proxies.acquire() == B


def test_session_keeps_its_proxy_until_it_rotates() -> None:
    proxies = rotation(Clock())
    session = ProxySession(proxies)

    first = session.proxy
    assert session.proxy == first
    second = session.rotate(first)
    assert second != first and session.proxy == second
    # A parallel step that failed through the old proxy does not rotate the session again.
    assert session.rotate(first) == second


def test_session_switch_moves_on_without_blame() -> None:
    proxies = ProxyRotation([A, B], rest_seconds=30, failures_before_rest=1, clock=Clock())
    session = ProxySession(proxies)

    assert session.switch(session.proxy) == B
    assert not proxies.is_resting(A)


def test_data_only_session_sends_media_direct() -> None:
    session = ProxySession(rotation(Clock()), media_direct=True)

    assert session.proxy == A and session.media_proxy == DIRECT
