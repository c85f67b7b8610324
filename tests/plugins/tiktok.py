"""Fixtures: the fake TikTok behind local proxies, and the small real media files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.fakes import media as media_module
from tests.fakes.tiktok import FakeTikTok


@pytest.fixture(scope="session")
def media() -> ModuleType:
    """`tests.fakes.media` with every file already made (once per session)."""
    media_module.warm_up()
    return media_module


@pytest.fixture
async def fake_tiktok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, media: ModuleType) -> AsyncIterator[FakeTikTok]:
    """A started FakeTikTok with 3 proxies (all OK); its CA is trusted through env() for this test."""
    async with FakeTikTok(tmp_path / "fake-tiktok", proxies=3) as tiktok:
        for name, value in tiktok.env().items():
            monkeypatch.setenv(name, value)
        yield tiktok
