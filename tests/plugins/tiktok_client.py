"""A TikTokClient pointed at the fake TikTok's proxies, with short timeouts so failures show quickly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.tiktok import FakeTikTok
from tiktok_api.client import TikTokClient
from tiktok_api.config import ClientConfig


@pytest.fixture
def client_config(fake_tiktok: FakeTikTok, tmp_path: Path) -> ClientConfig:
    temp_dir = tmp_path / "client-media"
    temp_dir.mkdir()
    return ClientConfig(
        proxy_file=fake_tiktok.proxy_file,
        connect_timeout=1,
        read_timeout=2,
        total_timeout=20,
        temp_dir=temp_dir,
    )


@pytest.fixture
async def tiktok_client(client_config: ClientConfig) -> AsyncIterator[TikTokClient]:
    async with TikTokClient(client_config) as client:
        yield client
