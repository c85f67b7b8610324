"""Fixture `fake_telegram`: a started fake Telegram Bot API server per test, stopped afterwards; and
`no_collector_pauses` for the tests that read send rates at it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as telegram:
        yield telegram


@pytest.fixture
def no_collector_pauses() -> Iterator[None]:
    """Send rates are read where the fake Telegram runs: in this process, and for an in-process bot on the
    same event loop. Late in the suite a full garbage collection here takes ~0.4 s; the sends it holds up
    then reach the fake together and look like a burst the bot never made. No collection runs meanwhile."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
